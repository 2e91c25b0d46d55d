/**
 * docs/capacity.md stays what the capacity model computes (scripts/bench/_capacity-model.ts): the
 * plans' quotas, what the reference organisations spend, and the members each plan sustains. A
 * change to the model (or to the product's costs it follows) that leaves the page behind fails here.
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { budget, PLANS, REFERENCE, sustainableMembers, type Scheme } from '../../scripts/bench/_capacity-model.ts';

const AGENT_COLUMNS = [0, 1, 3, 5, 10, 20];

/** The rows of the Markdown table whose header starts with `| <first> |` (`first` may span cells), as trimmed cells. */
function table(markdown: string, first: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`| ${first} |`));
  if (start < 0) throw new Error(`no table headed "${first}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

const number = (cell: string) => Number(cell.replaceAll(',', '').replaceAll('*', ''));

describe('docs/capacity.md', () => {
  let doc: string;
  beforeAll(async () => {
    doc = await readFile(new URL('../../docs/capacity.md', import.meta.url), 'utf8');
  });

  it('quotes the quotas the model uses', () => {
    expect(
      table(doc, 'plan')
        .slice(0, PLANS.length)
        .map((row) => row.slice(0, 5).map((c, i) => (i === 0 ? c : number(c)))),
    ).toEqual(PLANS.map((p) => [p.name, p.connections, p.messagesPerSecond, p.presencePerSecond, p.joinsPerSecond]));
  });

  it('gives what the reference organisations spend, as the model computes it', () => {
    const rows = table(doc, 'organisation');
    expect(rows.length).toBe(4);
    for (const row of rows) {
      const [members, agents] = /^(\d+) members, (\d+) agents$/.exec(row[0]!)!.slice(1).map(Number);
      const scheme: Scheme = row[1] === 'before' ? 'before' : 'after';
      const b = budget({ ...REFERENCE, members: members!, agents: agents! }, scheme);
      expect(row.slice(2).map(number), row[0]).toEqual(
        [b.agents, b.activity, b.teamUpdates, b.messagesPerSecond, b.presencePerSecond, b.catchUpReadsPerSecond].map(
          (v) => Math.round(v),
        ),
      );
    }
  });

  it('gives the members each plan sustains, before → now, as the model computes them', () => {
    const rows = table(doc, 'plan | 0 agents');
    expect(rows.map((row) => row[0])).toEqual(PLANS.map((p) => p.name));
    for (const plan of PLANS) {
      const row = rows.find((r) => r[0] === plan.name)!;
      expect(row.slice(1), plan.name).toEqual(
        AGENT_COLUMNS.map(
          (agents) => `${sustainableMembers(plan, agents, 'before')} → ${sustainableMembers(plan, agents, 'after')}`,
        ),
      );
    }
  });
});
