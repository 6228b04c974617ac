// The top of a profile: the entity's name, type, ids and the details the
// API knows about it (who created it and when, instance type, where an
// address is...), each dated and linked to what it names.

import { urls } from '../../api/client';
import type { Entity, Fact, IPInfo } from '../../api/types';
import { useApi } from '../../api/useApi';
import { CopyButton } from '../../components/CopyButton';
import { EntityIcon, TypeBadge, typeInfo } from '../../components/entityTypes';
import { EntityLink } from '../../components/EntityLink';
import { Panel } from '../../components/Panel';
import { Time } from '../../components/Time';
import { PinButton } from '../../nav/PinButton';
import { RunInvestigationButton } from '../investigations/RunInvestigationButton';

const factNames: Record<string, string> = {
  created_by: 'Created by',
  created_at: 'Created at',
  deleted_by: 'Deleted by',
  deleted_at: 'Deleted at',
  started_by: 'Started by',
  started_at: 'Started at',
  started_from_ip: 'Started from IP address',
  issued_at: 'Issued at',
  user_name: 'User name',
  instance_type: 'Instance type',
  image_id: 'Image (AMI)',
  private_ip: 'Private IP address',
  public_ip: 'Public IP address',
  region: 'Region',
  subnet_id: 'Subnet',
  vpc_id: 'VPC',
  instance_profile: 'Instance profile',
  terminated_at: 'Terminated at',
  terminated_by: 'Terminated by',
  trust_policy: 'Trust policy',
  user: 'User',
  role: 'Role',
  key_pair: 'Key pair',
  launched_by: 'Launched by',
};

/** The display name of a fact. */
export function factName(name: string): string {
  return factNames[name] ?? name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/** An entity link whose label is looked up (facts name entities by id only). */
function LabeledLink({ type, id }: { type: string; id: string }) {
  const { data } = useApi<Entity>(urls.entity(type, id));
  return <EntityLink type={type} id={id} label={data?.label} />;
}

function FactValue({ fact }: { fact: Fact }) {
  if (fact.entity) return <LabeledLink type={fact.entity.type} id={fact.entity.id} />;
  const v = fact.value;
  if (fact.name === 'started_from_ip' && /^[0-9a-fA-F:.]+$/.test(v)) return <EntityLink type="IpAddress" id={v} />;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/.test(v)) {
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) return <Time value={ms / 1000} seconds />;
  }
  if (v.length > 80 || v.startsWith('{')) {
    let pretty = v;
    try {
      pretty = JSON.stringify(JSON.parse(v), null, 2);
    } catch {
      // not JSON: show as delivered
    }
    return (
      <details>
        <summary>{v.slice(0, 60)}…</summary>
        <pre className="json">{pretty}</pre>
      </details>
    );
  }
  return <span className="fact-text">{v}</span>;
}

/** Groups facts by name, latest first. */
function groupFacts(facts: Fact[]): [string, Fact[]][] {
  const m = new Map<string, Fact[]>();
  for (const f of facts) {
    const l = m.get(f.name) ?? [];
    l.push(f);
    m.set(f.name, l);
  }
  for (const l of m.values()) l.sort((a, b) => b.time - a.time);
  const order = Object.keys(factNames);
  return [...m.entries()].sort((a, b) => {
    const ia = order.indexOf(a[0]);
    const ib = order.indexOf(b[0]);
    return (ia < 0 ? 999 : ia) - (ib < 0 ? 999 : ib) || a[0].localeCompare(b[0]);
  });
}

function IPDetails({ ip }: { ip: IPInfo }) {
  const place = [ip.city, ip.region, ip.countryName ?? ip.country].filter(Boolean).join(', ');
  return (
    <>
      <div className="kv">
        <dt>Address class</dt>
        <dd>{ip.class}</dd>
      </div>
      <div className="kv">
        <dt>Location</dt>
        <dd data-testid="ip-location">
          {place || <span className="muted">unknown</span>}
          {ip.latitude !== undefined && ip.longitude !== undefined && (
            <span className="muted">
              {' '}
              ({ip.latitude.toFixed(2)}, {ip.longitude.toFixed(2)})
            </span>
          )}
        </dd>
      </div>
      <div className="kv">
        <dt>Autonomous system</dt>
        <dd>
          {ip.autonomousSystem ? (
            <EntityLink type={ip.autonomousSystem.type} id={ip.autonomousSystem.id} label={`AS${ip.asn ?? ''} ${ip.asOrg ?? ''}`.trim()} />
          ) : ip.asn ? (
            `AS${ip.asn} ${ip.asOrg ?? ''}`
          ) : (
            <span className="muted">unknown</span>
          )}
        </dd>
      </div>
    </>
  );
}

/** The profile header and details panel. */
export function EntityHeader({ entity }: { entity: Entity }) {
  const info = typeInfo(entity.type);
  const title = entity.label || entity.id;
  const groups = groupFacts(entity.facts);
  return (
    <>
      <header className="profile-head">
        <div className="profile-title">
          <EntityIcon type={entity.type} size={28} />
          <div>
            <h1 tabIndex={-1}>{title}</h1>
            <div className="profile-ids">
              <TypeBadge type={entity.type} />
              {title !== entity.id && (
                <span className="mono" data-testid="entity-id">
                  {entity.id}
                </span>
              )}
              <CopyButton text={entity.id} label="id" />
              {entity.account && entity.type !== 'AwsAccount' && (
                <span>
                  Account <EntityLink type="AwsAccount" id={entity.account} />
                </span>
              )}
            </div>
            {entity.arn && (
              <div className="profile-ids">
                <span className="mono small" data-testid="entity-arn">
                  {entity.arn}
                </span>
                <CopyButton text={entity.arn} label="ARN" />
              </div>
            )}
          </div>
        </div>
        <div className="profile-actions">
          <RunInvestigationButton entity={{ type: entity.type, id: entity.id }} label={title} />
          <PinButton type={entity.type} id={entity.id} label={title} />
        </div>
      </header>
      <Panel id="details" title={`${info.name} details`}>
        <dl className="kv-grid">
          <div className="kv">
            <dt>First observed</dt>
            <dd>
              <Time value={entity.firstSeen} />
            </dd>
          </div>
          <div className="kv">
            <dt>Last observed</dt>
            <dd>
              <Time value={entity.lastSeen} />
            </dd>
          </div>
          {entity.ip && <IPDetails ip={entity.ip} />}
          {groups.map(([name, facts]) => (
            <div className="kv" key={name} data-fact={name}>
              <dt>{factName(name)}</dt>
              <dd>
                <FactValue fact={facts[0]} />
                {facts.length > 1 && (
                  <details className="fact-more">
                    <summary>{facts.length - 1} earlier</summary>
                    <ul>
                      {facts.slice(1).map((f, i) => (
                        <li key={i}>
                          <FactValue fact={f} /> <span className="muted">observed</span> <Time value={f.time} />
                        </li>
                      ))}
                    </ul>
                  </details>
                )}
              </dd>
            </div>
          ))}
        </dl>
        {entity.ip && (
          <p className="attribution">
            <a href="https://db-ip.com" target="_blank" rel="noopener noreferrer">
              IP Geolocation by DB-IP
            </a>
          </p>
        )}
      </Panel>
    </>
  );
}
