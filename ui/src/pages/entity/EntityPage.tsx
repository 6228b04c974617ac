// An entity's profile, as Detective lays it out: a header with the
// entity's details, then tabs (Overview, New behavior, Resource
// interaction, VPC flow) holding the panels that apply to its type.

import { useEffect, useMemo } from 'react';
import { useLocation } from 'react-router-dom';
import { urls, type ScopeParams } from '../../api/client';
import type { Entity } from '../../api/types';
import { useApi, whenIdleBetweenAnswers } from '../../api/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { usePreloadWorldMap } from '../../charts/LazyWorldMap';
import { warmUpTimeline } from '../../charts/TimeBarsChart';
import { typeInfo, typeNameInSentence } from '../../components/entityTypes';
import { ErrorState, Loading, Truncated } from '../../components/States';
import { TabPanel, Tabs } from '../../components/Tabs';
import { useAccountFilter } from '../../nav/accountFilter';
import { useTrailEntry } from '../../nav/trail';
import { parseEntityLocation } from '../../nav/urls';
import { ScopeCarry, useScopeReport, useUrlScope } from '../../scope/ScopeContext';
import { resolveScope } from '../../scope/scope';
import { EntityHeader } from './EntityHeader';
import { FindingsPanel } from './panels/FindingsPanel';
import { FlowSection } from './panels/FlowPanel';
import { GeoPanel } from './panels/GeoPanel';
import { IncreasedPanel } from './panels/IncreasedPanel';
import { InteractionPanel } from './panels/InteractionPanel';
import { NewlyPanel } from './panels/NewlyPanel';
import { VolumeAndActivity } from './panels/VolumePanel';
import { ProfileCtx, usePanelTitles, useUrlChoice, type ProfileContext } from './usePanel';

interface TabDef {
  id: string;
  label: string;
  panels: string[];
}

/**
 * Splits the type's panels into Detective's tabs; empty tabs are left out.
 * An instance's traffic is its first view, before the calls of its
 * instance profile; other types with API calls show flows on a tab.
 */
export function profileTabs(panels: string[], type?: string): TabDef[] {
  const has = (p: string) => panels.includes(p);
  const overview = ['associated-findings', 'api-call-volume', 'activity-details'].filter(has);
  const flowPanels = ['vpc-flow-volume', 'vpc-flow-details', 'vpc-flow-service-ports'].filter(has);
  const flowInOverview = !has('api-call-volume') || type === 'Ec2Instance';
  if (flowInOverview) overview.push(...flowPanels);
  const tabs: TabDef[] = [
    { id: 'overview', label: 'Overview', panels: overview },
    {
      id: 'new-behavior',
      label: 'New behavior',
      panels: ['new-geolocations', 'new-api-calls', 'new-user-agents', 'new-asos', 'increased-volume'].filter(has),
    },
    { id: 'resource-interaction', label: 'Resource interaction', panels: ['resource-interaction'].filter(has) },
    { id: 'vpc-flow', label: 'VPC flow', panels: flowInOverview ? [] : flowPanels },
  ];
  return tabs.filter((t) => t.id === 'overview' || t.panels.length > 0);
}

function Profile({ entity }: { entity: Entity }) {
  const urlScope = useUrlScope();
  const titles = usePanelTitles();
  const tabs = useMemo(() => profileTabs(entity.panels, entity.type), [entity.panels, entity.type]);
  const flowsFirst = entity.type === 'Ec2Instance';
  const [chosenTab, chooseTab] = useUrlChoice('tab', 'overview');
  const tab = tabs.find((t) => t.id === chosenTab)?.id ?? 'overview';
  const info = typeInfo(entity.type);
  const title = entity.label || entity.id;
  usePageTitle(`${title} · ${info.name}`);
  useTrailEntry(title, entity.type);
  // A profile with new geolocations shows them on a map (New behavior, or
  // the first view when it opens on that tab): it is prepared once the
  // view's answers are in.
  usePreloadWorldMap(entity.panels.includes('new-geolocations'), tab !== 'new-behavior');

  // Panels ask for an explicit scope: the URL's, or the entity's default,
  // so that every panel of the page answers for the same time.
  const effective = resolveScope(urlScope, entity.defaultScope);
  const scope: ScopeParams = { scopeStart: effective.scopeStart, scopeEnd: effective.scopeEnd };
  useScopeReport({
    effective,
    defaultScope: entity.defaultScope,
    defaultLabel: 'the day before its last activity',
  });

  const ctx = useMemo<ProfileContext>(() => ({ entity, scope, titles }), [entity, scope.scopeStart, scope.scopeEnd, titles]); // scope fields are the identity
  const active = tabs.find((t) => t.id === tab)!;
  const accountFilter = useAccountFilter();
  const outside = entity.account && !accountFilter.has(entity.account);
  const idPrefix = 'profile';
  return (
    <ScopeCarry effective={effective}>
      <ProfileCtx.Provider value={ctx}>
        <div className="page profile" data-testid="entity-profile" data-entity-type={entity.type} data-entity-id={entity.id}>
          <EntityHeader entity={entity} />
          {outside && (
            <Truncated>
              This entity belongs to account {entity.account}, outside the account filter ({accountFilter.accounts.join(', ')}).
            </Truncated>
          )}
          {tabs.length > 1 && (
            <Tabs
              tabs={tabs.map((t) => ({ id: t.id, label: t.label }))}
              active={tab}
              onChange={chooseTab}
              label="Profile sections"
              idPrefix={idPrefix}
              testId="profile-tabs"
            />
          )}
          <TabPanel idPrefix={idPrefix} tab={tab}>
            {active.panels.length === 0 && <p className="muted">No panels apply to this type of entity.</p>}
            {active.panels.includes('associated-findings') && <FindingsPanel />}
            {flowsFirst && <FlowSection panels={active.panels} />}
            {active.panels.includes('api-call-volume') && <VolumeAndActivity />}
            {active.panels.includes('new-geolocations') && <GeoPanel />}
            {active.panels.includes('new-api-calls') && <NewlyPanel panel="new-api-calls" />}
            {active.panels.includes('new-user-agents') && <NewlyPanel panel="new-user-agents" />}
            {active.panels.includes('new-asos') && <NewlyPanel panel="new-asos" />}
            {active.panels.includes('increased-volume') && <IncreasedPanel />}
            {active.panels.includes('resource-interaction') && <InteractionPanel />}
            {!flowsFirst && <FlowSection panels={active.panels} />}
          </TabPanel>
        </div>
      </ProfileCtx.Provider>
    </ScopeCarry>
  );
}

/** The profile route: /entities/<Namespace>/<id>. */
export default function EntityPage() {
  const location = useLocation();
  // Profiles open on a timeline: its code is run once, in short steps
  // while the browser waits for the profile and its panels, so that the
  // chart of the answer draws quickly.
  useEffect(() => {
    void warmUpTimeline(whenIdleBetweenAnswers);
  }, []);

  const ref = parseEntityLocation(location.pathname, location.search);
  const { data, error, reload } = useApi<Entity>(ref ? urls.entity(ref.type, ref.id) : null);
  usePageTitle(ref ? `${ref.id} · ${typeInfo(ref.type).name}` : 'Entity');
  if (!ref) {
    return (
      <div className="page">
        <h1>Entity</h1>
        <p>This address names no entity.</p>
      </div>
    );
  }
  const current = data && data.type === ref.type && data.id === ref.id ? data : undefined;
  if (error && !current) {
    return (
      <div className="page">
        <h1>
          {typeInfo(ref.type).name} <code>{ref.id}</code>
        </h1>
        <ErrorState error={error} retry={reload} what={`The ${typeNameInSentence(ref.type)}`} />
      </div>
    );
  }
  if (!current) return <Loading label="Loading the profile…" />;
  return <Profile key={`${current.type}/${current.id}`} entity={current} />;
}
