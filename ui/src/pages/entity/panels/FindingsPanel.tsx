// Associated findings: the findings that name the entity during the
// scope, most severe first. Selecting one aligns the scope to its window,
// as Detective does.

import type { AssociatedFinding, AssociatedFindings } from '../../../api/types';
import { FindingCells, findingAccessors } from '../../../components/FindingCells';
import { Panel } from '../../../components/Panel';
import { SortTh, useSort } from '../../../components/sort';
import { Empty, ErrorState, Loading, Updating } from '../../../components/States';
import { useSetScope } from '../../../scope/ScopeContext';
import { sameScope } from '../../../scope/scope';
import { usePanel, useProfile } from '../usePanel';

/** A table of findings with their scope-alignment action. */
export function FindingsTable({ findings, currentScope }: { findings: AssociatedFinding[]; currentScope?: { scopeStart: number; scopeEnd: number } }) {
  const setScope = useSetScope();
  const { sorted, sort, toggle } = useSort(findings, findingAccessors, { key: 'severity', dir: 'desc' });
  return (
    <div className="table-wrap">
      <table className="table" data-testid="findings-table">
        <thead>
          <tr>
            <SortTh label="Severity" column="severity" sort={sort} onSort={toggle} />
            <SortTh label="Title" column="title" sort={sort} onSort={toggle} firstDir="asc" />
            <SortTh label="Type" column="type" sort={sort} onSort={toggle} firstDir="asc" />
            <SortTh label="Account" column="account" sort={sort} onSort={toggle} firstDir="asc" />
            <SortTh label="Region" column="region" sort={sort} onSort={toggle} firstDir="asc" />
            <SortTh label="First observed" column="firstSeen" sort={sort} onSort={toggle} />
            <SortTh label="Last observed" column="lastSeen" sort={sort} onSort={toggle} />
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((f) => (
            <tr key={f.id} data-finding-id={f.id}>
              <FindingCells f={f} />
              <td>
                <button
                  type="button"
                  className="link-button"
                  disabled={sameScope(f.scope, currentScope)}
                  onClick={() => setScope(f.scope)}
                  title="Set the scope to the finding's first-to-last observed window"
                >
                  Align scope
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The associated-findings panel. */
export function FindingsPanel() {
  const { titles } = useProfile();
  const { data, error, loading, reload } = usePanel<AssociatedFindings>('associated-findings');
  return (
    <Panel
      id="associated-findings"
      title={titles['associated-findings']}
      description="GuardDuty findings that name this entity and were observed during the scope."
    >
      <Updating active={loading && !!data} />
      {error && <ErrorState error={error} retry={reload} what="The findings" />}
      {!data && loading && <Loading />}
      {data &&
        (data.findings.length === 0 ? (
          <Empty>No finding names this entity during the scope.</Empty>
        ) : (
          <FindingsTable findings={data.findings} currentScope={data.scope} />
        ))}
    </Panel>
  );
}
