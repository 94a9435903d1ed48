import t from 'tap';
import { formatDutchDate, formatEuroCents, formatInteger, formatYear, joinDutch, municipalityPlace, NBSP } from '../../src/domain/dutch-format.js';

t.test('writes amounts in Dutch notation with a non-breaking space after the euro sign', async (t) => {
  const cases: [number, string][] = [
    [14_000_000, '€\u00a0140.000,00'],
    [25_000_000, '€\u00a0250.000,00'],
    [20_250_000, '€\u00a0202.500,00'],
    [10_000_000, '€\u00a0100.000,00'],
    [0, '€\u00a00,00'],
    [1, '€\u00a00,01'],
    [99, '€\u00a00,99'],
    [100, '€\u00a01,00'],
    [123_456, '€\u00a01.234,56'],
    [100_000_000_000, '€\u00a01.000.000.000,00'],
    [Number.MAX_SAFE_INTEGER, '€\u00a090.071.992.547.409,91'],
    [-125_000, '€\u00a0-1.250,00'],
  ];
  for (const [cents, written] of cases) t.equal(formatEuroCents(cents), written, `${cents} cents`);
  t.equal(NBSP, '\u00a0', 'the one space used is U+00A0');
});

t.test('refuses an amount that is not an integer number of cents rather than rounding it', async (t) => {
  for (const bad of [0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) t.throws(() => formatEuroCents(bad), RangeError, String(bad));
});

t.test('writes dates as Dutch does: day without a leading zero, month in words and lower case', async (t) => {
  const cases: [string, string][] = [
    ['2025-11-19', '19 november 2025'],
    ['2026-02-03', '3 februari 2026'],
    ['2026-02-15', '15 februari 2026'],
    ['2026-01-01', '1 januari 2026'],
    ['2026-03-31', '31 maart 2026'],
    ['2026-05-09', '9 mei 2026'],
    ['2026-08-20', '20 augustus 2026'],
    ['2026-12-31', '31 december 2026'],
    ['2024-02-29', '29 februari 2024'],
    ['0099-07-01', '1 juli 99'],
  ];
  for (const [date, written] of cases) t.equal(formatDutchDate(date), written, date);
});

t.test('refuses what is no YYYY-MM-DD date', async (t) => {
  for (const bad of ['2026-13-01', '2026-00-10', '2026-02-00', '2026-02-32', '2026-02-30', '2025-02-29', '2026-04-31', '19-11-2025', '2025-11-19T00:00:00Z', '']) {
    t.throws(() => formatDutchDate(bad), RangeError, bad);
  }
});

t.test('writes years and counts: a year is never grouped, a count is grouped by points', async (t) => {
  t.equal(formatYear(2026), '2026');
  t.equal(formatYear(2100), '2100');
  t.throws(() => formatYear(2026.5), RangeError);
  const counts: [number | bigint, string][] = [
    [0, '0'],
    [999, '999'],
    [1000, '1.000'],
    [1_234_567, '1.234.567'],
    [-1000, '-1.000'],
    [12_345_678_901_234_567_890n, '12.345.678.901.234.567.890'],
  ];
  for (const [value, written] of counts) t.equal(formatInteger(value), written, String(value));
});

t.test('joins a list the Dutch way, without a comma before "en"', async (t) => {
  t.equal(joinDutch([]), '');
  t.equal(joinDutch(['Heerlen']), 'Heerlen');
  t.equal(joinDutch(['Heerlen', 'Maastricht']), 'Heerlen en Maastricht');
  t.equal(joinDutch(['Heerlen', 'Maastricht', 'Sittard-Geleen']), 'Heerlen, Maastricht en Sittard-Geleen');
  t.equal(joinDutch(['A', 'B'], 'of'), 'A of B');
});

t.test('names a municipality by its place, whatever the case of "Gemeente"', async (t) => {
  t.equal(municipalityPlace('Gemeente Maastricht'), 'Maastricht');
  t.equal(municipalityPlace('gemeente Sittard-Geleen'), 'Sittard-Geleen');
  t.equal(municipalityPlace('Heerlen'), 'Heerlen');
  t.equal(municipalityPlace('Gemeentebedrijf X'), 'Gemeentebedrijf X', 'only the word on its own');
});
