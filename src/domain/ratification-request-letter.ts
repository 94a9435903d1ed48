import { formatDutchDate, joinDutch, municipalityPlace } from './dutch-format.js';
import type { Letter, LetterBlock } from './letter.js';
import type { RatificationRequest, RequestVote } from './ratification-request.js';
import { conditionsSection, contextSection, coverageSection, decisionSection, statuteSection } from './ratification-request-sections.js';

/**
 * The ratification request as a letter from ESZL to one college of burgemeester en wethouders,
 * in Dutch: every fact of the JSON form, in the order a college proposal needs them, and a
 * verification footer that names the register state it was drawn from. Pure: the same request
 * gives the same letter, word for word.
 */
export const ESZL_NAME = 'Stichting Economische Samenwerking Zuid-Limburg';

const OUTCOME: Record<RequestVote['outcome'], string> = { approve: 'ingestemd', reject: 'niet ingestemd' };

export function ratificationRequestLetter(request: RatificationRequest): Letter {
  return {
    language: 'nl-NL',
    title: request.subject,
    author: ESZL_NAME,
    date: request.letterDate,
    blocks: [
      { kind: 'letterhead', name: ESZL_NAME, lines: ['ESZL · secretariaat van het bestuur'] },
      { kind: 'addressee', lines: addresseeLines(request.municipality.name) },
      {
        kind: 'details',
        rows: [
          { label: 'Datum', value: formatDutchDate(request.letterDate), strong: false },
          { label: 'Ons kenmerk', value: request.reference, strong: false },
          { label: 'Onderwerp', value: request.subject, strong: true },
        ],
      },
      { kind: 'salutation', text: 'Geacht college,' },
      ...decisionSection(request),
      ...statuteSection(request),
      ...conditionsSection(request),
      ...coverageSection(request),
      ...contextSection(request),
      ...votesSection(request),
      ...requestSection(request),
      { kind: 'closing', greeting: 'Hoogachtend,', signature: [`Het bestuur van ${ESZL_NAME}`] },
    ],
    runningHead: `${request.municipality.name} · ons kenmerk ${request.reference} · ${formatDutchDate(request.letterDate)}`,
    footer: verificationFooter(request),
    pageNumber: { prefix: 'Pagina ', separator: ' van ' },
  };
}

/** `Aan het college van burgemeester en wethouders` / `van de gemeente Maastricht`. */
export function addresseeLines(municipalityName: string): string[] {
  const place = municipalityPlace(municipalityName);
  const of = place === municipalityName ? municipalityName : `de gemeente ${place}`;
  return ['Aan het college van burgemeester en wethouders', `van ${of}`];
}

export function verificationFooter(request: RatificationRequest): string[] {
  const checkpoint = request.checkpoint;
  return [
    `Verificatie: besluit ${request.decisionId} · stand na auditgebeurtenis seq ${request.auditSeq}`,
    checkpoint === null
      ? 'Logcontrolepunt: nog geen controlepunt van het log omvat deze stand'
      : `Logcontrolepunt: omvang ${checkpoint.treeSize} · wortelhash ${checkpoint.rootHash}`,
  ];
}

function ownVote(request: RatificationRequest): RequestVote | undefined {
  return request.votes.find((vote) => vote.municipality.id === request.municipality.id);
}

function votesSection(request: RatificationRequest): LetterBlock[] {
  const blocks: LetterBlock[] = [{ kind: 'heading', text: 'Stand van de instemming' }];
  if (request.votes.length === 0) {
    blocks.push({ kind: 'paragraph', text: 'Nog geen van de colleges heeft over dit besluit beslist.', style: 'body' });
    return blocks;
  }
  blocks.push(
    {
      kind: 'paragraph',
      text: request.votes.length === 1 ? 'Tot nu toe heeft één college over het besluit beslist:' : 'Tot nu toe hebben deze colleges over het besluit beslist:',
      style: 'body',
    },
    {
      kind: 'list',
      items: request.votes.map((v) => `${municipalityPlace(v.municipality.name)}: ${OUTCOME[v.outcome]} op ${formatDutchDate(v.decidedOn)}`),
    },
  );
  const voted = new Set(request.votes.map((v) => v.municipality.id));
  const waiting = request.requiredMunicipalities.filter((m) => !voted.has(m.id) && m.id !== request.municipality.id);
  if (waiting.length > 0) {
    const places = joinDutch(waiting.map((m) => municipalityPlace(m.name)));
    blocks.push({ kind: 'paragraph', text: `${waiting.length === 1 ? 'Het college van' : 'De colleges van'} ${places} ${waiting.length === 1 ? 'heeft' : 'hebben'} nog niet beslist.`, style: 'body' });
  }
  return blocks;
}

function requestSection(request: RatificationRequest): LetterBlock[] {
  const own = ownVote(request);
  const answer = `en ons dat besluit te laten weten onder vermelding van kenmerk ${request.reference}.`;
  const text =
    own !== undefined
      ? `Uw college heeft op ${formatDutchDate(own.decidedOn)} over dit besluit beslist (${OUTCOME[own.outcome]}). Deze brief legt ` +
        'het verzoek vast zoals het register het kent; uw college hoeft er niets meer mee te doen.' +
        (request.dueDate === null ? '' : ` De gevraagde beslisdatum was ${formatDutchDate(request.dueDate)}.`)
      : request.dueDate === null
        ? `Wij verzoeken uw college te besluiten of het met dit principebesluit instemt, ${answer} De statuten stellen hiervoor ` +
          'geen termijn; wij zien uw besluit graag zo spoedig mogelijk tegemoet.'
        : `Wij verzoeken uw college uiterlijk op ${formatDutchDate(request.dueDate)} te besluiten of het met dit principebesluit ` +
          `instemt, ${answer}`;
  return [{ kind: 'heading', text: 'Ons verzoek' }, { kind: 'paragraph', text, style: 'body' }];
}
