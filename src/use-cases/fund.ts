import { assertContributorIsMunicipality, fundCoverage, fundPosition, type FundMoney, type FundPosition } from '../domain/fund.js';
import type { FundContribution, FundCoverage } from '../domain/records.js';
import {
  fundMoneyByYear,
  insertFundContribution,
  listFundContributions,
  type FundContributionFilter,
  type FundContributionRow,
} from '../db/fund-repository.js';
import { findOrganisation } from '../db/organisations-repository.js';
import { decodeCursor, toPage, type Page } from '../db/pagination.js';
import type { ServiceContext } from './context.js';
import { runUnitOfWork, type Caller } from './unit-of-work.js';

export type { FundPosition } from '../domain/fund.js';

export interface FundContributionInput {
  organisationId: string;
  year: number;
  amountCents: number;
  receivedOn: string;
  reference: string;
}

export function toFundContribution(row: FundContributionRow): FundContribution {
  return {
    id: row.id,
    organisationId: row.organisationId,
    year: row.year,
    amountCents: row.amountCents,
    receivedOn: row.receivedOn,
    reference: row.reference,
    createdAt: row.createdAt.toISOString(),
  };
}

/** A municipality's contribution to the ESZL fund for one year. */
export async function recordFundContribution(ctx: ServiceContext, caller: Caller, input: FundContributionInput): Promise<FundContribution> {
  return runUnitOfWork(ctx, caller, async (uow) => {
    assertContributorIsMunicipality(await findOrganisation(uow.tx, input.organisationId), input.organisationId);
    const contribution = toFundContribution(await insertFundContribution(uow.tx, input));
    uow.emit('fund.contribution_recorded', { contribution });
    return contribution;
  });
}

export async function listFundContributionsPage(
  ctx: ServiceContext,
  filter: FundContributionFilter,
  cursor: string | undefined,
  limit: number,
): Promise<Page<FundContribution>> {
  return toPage(await listFundContributions(ctx.database.db, filter, decodeCursor(cursor), limit), limit, toFundContribution);
}

export async function getFundPosition(ctx: ServiceContext): Promise<FundPosition> {
  return fundPosition(await fundMoneyByYear(ctx.database.db));
}

/**
 * The fund's coverage of a decision being adopted: the uncommitted money over all years before
 * it, from the fund's money by year as it stood on the day the adoption took effect. Read under
 * the adoption lock (`lockAdoptionsAndLoadFacts`, src/db/adoption-lock.ts): adoptions are what
 * commits the fund's money, and they run one after another, each reading what the previous one
 * committed, so `uncommittedCentsBefore` follows commit order and two adoptions never count the
 * same money as theirs. An adoption recorded after the fact counts the contributions received,
 * and the decisions adopted, by that day. Other changes (a withdrawal, a rejection, a settlement,
 * a new contribution) only free or add money; reading before or after them is equally true.
 */
export function fundCoverageAtAdoption(moneyByYear: readonly (FundMoney & { year: number })[], totalAmountCents: number): FundCoverage {
  return fundCoverage(fundPosition(moneyByYear).uncommittedCents, totalAmountCents);
}
