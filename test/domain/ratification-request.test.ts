import t from 'tap';
import { ratificationRequestSubject } from '../../src/domain/ratification-request.js';

t.test('the subject line asks for consent to the principle decision without saying "principebesluit" twice', async (t) => {
  const cases: [string, string][] = [
    ['Principebesluit bijdrage Welcome to Maastricht Region 2026-2027', 'Verzoek om instemming met principebesluit bijdrage Welcome to Maastricht Region 2026-2027'],
    ['Principebesluit bijdrage Ambitieus MKB, kwartiermakersfase', 'Verzoek om instemming met principebesluit bijdrage Ambitieus MKB, kwartiermakersfase'],
    ['principebesluit  over X', 'Verzoek om instemming met principebesluit over X'],
    ['  Principebesluit X  ', 'Verzoek om instemming met principebesluit X'],
    ['Bijdrage Brightlands 2027', 'Verzoek om instemming met principebesluit “Bijdrage Brightlands 2027”'],
    ['Principebesluiten', 'Verzoek om instemming met principebesluit “Principebesluiten”'],
  ];
  for (const [title, subject] of cases) t.equal(ratificationRequestSubject(title), subject, title);
});
