// The visual language of entity types: a name, a colour and an icon for
// each of Detective's namespaces, used wherever an entity appears.

interface TypeInfo {
  name: string;
  plural: string;
  color: string;
  /** SVG path data on a 16×16 grid, stroked. */
  icon: string;
}

const types: Record<string, TypeInfo> = {
  AwsAccount: {
    name: 'AWS account',
    plural: 'AWS accounts',
    color: '#6741d9',
    icon: 'M2.5 14.5v-10l5-3 5 3v10zM5.5 7h1M9.5 7h1M5.5 10h1M9.5 10h1M7 14.5v-2.5h2v2.5',
  },
  AwsUser: {
    name: 'AWS user',
    plural: 'AWS users',
    color: '#1c7ed6',
    icon: 'M8 8a2.75 2.75 0 1 0 0-5.5A2.75 2.75 0 0 0 8 8zM2.5 14.5c0-3 2.5-5 5.5-5s5.5 2 5.5 5z',
  },
  AwsRole: {
    name: 'AWS role',
    plural: 'AWS roles',
    color: '#0c8599',
    icon: 'M2.5 4.5h11v9h-11zM6 4.5v-2h4v2M8 10a1.6 1.6 0 1 0 0-3.2A1.6 1.6 0 0 0 8 10zM5.5 12.5c.5-1 1.4-1.5 2.5-1.5s2 .5 2.5 1.5',
  },
  AwsRoleSession: {
    name: 'Role session',
    plural: 'Role sessions',
    color: '#2b8a3e',
    icon: 'M8 14.5a6 6 0 1 0 0-12 6 6 0 0 0 0 12zM8 5v3.5l2.5 1.5',
  },
  FederatedUser: {
    name: 'Federated user',
    plural: 'Federated users',
    color: '#3b5bdb',
    icon: 'M6.5 7.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5zM1.5 14c0-2.8 2.2-4.5 5-4.5 1 0 2 .2 2.7.7M12 14.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5zM9.5 12h5',
  },
  AwsService: {
    name: 'AWS service',
    plural: 'AWS services',
    color: '#5c6370',
    icon: 'M8 1.5l5.6 3.25v6.5L8 14.5l-5.6-3.25v-6.5zM8 10a2 2 0 1 0 0-4 2 2 0 0 0 0 4z',
  },
  AccessKey: {
    name: 'Access key',
    plural: 'Access keys',
    color: '#b7791f',
    icon: 'M5 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM8 8h6.5M12 8v2.5M14 8v2',
  },
  IpAddress: {
    name: 'IP address',
    plural: 'IP addresses',
    color: '#d9480f',
    icon: 'M8 14.5s4.5-4.2 4.5-8a4.5 4.5 0 0 0-9 0c0 3.8 4.5 8 4.5 8zM8 8a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3z',
  },
  AutonomousSystem: {
    name: 'Autonomous system',
    plural: 'Autonomous systems',
    color: '#a05a2c',
    icon: 'M4.5 12.5a3 3 0 0 1-.4-6 4 4 0 0 1 7.6-.8 3.2 3.2 0 0 1 .3 6.8z',
  },
  UserAgent: {
    name: 'User agent',
    plural: 'User agents',
    color: '#7048e8',
    icon: 'M1.5 3h13v10h-13zM4 6.5l2 1.5-2 1.5M7.5 10.5h4',
  },
  Ec2Instance: {
    name: 'EC2 instance',
    plural: 'EC2 instances',
    color: '#e67700',
    icon: 'M4 4h8v8H4zM6.5 6.5h3v3h-3zM6 1.5V4M10 1.5V4M6 12v2.5M10 12v2.5M1.5 6H4M1.5 10H4M12 6h2.5M12 10h2.5',
  },
  S3Bucket: {
    name: 'S3 bucket',
    plural: 'S3 buckets',
    color: '#2f9e44',
    icon: 'M2 4c0-1.2 2.7-2 6-2s6 .8 6 2-2.7 2-6 2-6-.8-6-2zM2 4l1.5 9c.2 1 2.2 1.5 4.5 1.5s4.3-.5 4.5-1.5L14 4',
  },
  Finding: {
    name: 'Finding',
    plural: 'Findings',
    color: '#c92a2a',
    icon: 'M8 1.5l5.5 2v4c0 3.5-2.4 6-5.5 7-3.1-1-5.5-3.5-5.5-7v-4zM8 5v4M8 11v.5',
  },
  FindingGroup: {
    name: 'Finding group',
    plural: 'Finding groups',
    color: '#a61e4d',
    icon: 'M6 2.5l4 1.5v3c0 2.6-1.8 4.5-4 5.2C3.8 11.5 2 9.6 2 7V4zM12 5.5l2 .8V9c0 2.3-1.5 4-3.5 4.8',
  },
  ContainerCluster: {
    name: 'EKS cluster',
    plural: 'EKS clusters',
    color: '#1864ab',
    icon: 'M8 1.5l6 3.5v6l-6 3.5-6-3.5V5zM8 8.5V14M8 8.5 2.3 5.2M8 8.5l5.7-3.3',
  },
  ContainerPod: {
    name: 'Kubernetes pod',
    plural: 'Kubernetes pods',
    color: '#1971c2',
    icon: 'M2.5 2.5h5v5h-5zM8.5 2.5h5v5h-5zM2.5 8.5h5v5h-5zM8.5 8.5h5v5h-5z',
  },
  ContainerImage: {
    name: 'Container image',
    plural: 'Container images',
    color: '#4263eb',
    icon: 'M2.5 4.5h11v8h-11zM2.5 7h11M5 4.5v-2h6v2',
  },
  KubernetesSubject: {
    name: 'Kubernetes subject',
    plural: 'Kubernetes subjects',
    color: '#5f3dc4',
    icon: 'M8 7a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5zM3 14.5c0-2.8 2.2-5 5-5s5 2.2 5 5zM8 9.5v5',
  },
};

/** Icons of the console's pages, for the trail. */
const pageKinds: Record<string, TypeInfo> = {
  summary: { name: 'Summary', plural: 'Summary', color: '#495057', icon: 'M2.5 2.5h4.5v5H2.5zM9 2.5h4.5v3H9zM9 7.5h4.5v6H9zM2.5 9.5h4.5v4H2.5z' },
  findings: { name: 'Findings', plural: 'Findings', color: '#c92a2a', icon: 'M2.5 4h11M2.5 8h11M2.5 12h11' },
  search: { name: 'Search', plural: 'Search', color: '#495057', icon: 'M7 12a5 5 0 1 0 0-10 5 5 0 0 0 0 10zM10.5 10.5l4 4' },
  usage: { name: 'Usage', plural: 'Usage', color: '#495057', icon: 'M2.5 13.5h11M4 13.5V9M7 13.5V5M10 13.5V7M13 13.5V3' },
  accounts: { name: 'Accounts', plural: 'Accounts', color: '#6741d9', icon: 'M2.5 14.5v-10l5-3 5 3v10z' },
  compare: { name: 'Compare', plural: 'Compare', color: '#495057', icon: 'M2.5 2.5h4.5v11H2.5zM9 2.5h4.5v11H9z' },
  groups: { name: 'Finding groups', plural: 'Finding groups', color: '#a61e4d', icon: 'M6 2.5l4 1.5v3c0 2.6-1.8 4.5-4 5.2C3.8 11.5 2 9.6 2 7V4z' },
  investigations: { name: 'Investigations', plural: 'Investigations', color: '#495057', icon: 'M7 12a5 5 0 1 0 0-10 5 5 0 0 0 0 10zM10.5 10.5l4 4M5 7h4' },
};

const unknownType: TypeInfo = {
  name: 'Entity',
  plural: 'Entities',
  color: '#5c6370',
  icon: 'M2.5 2.5h11v11h-11z',
};

/** The name, colour and icon of an entity type. */
export function typeInfo(type: string): TypeInfo {
  return types[type] ?? pageKinds[type] ?? { ...unknownType, name: type, plural: type };
}

/** The types an analyst can search (FindingGroup has its own pages). */
export const searchableTypes = [
  'AwsAccount',
  'AwsUser',
  'AwsRole',
  'AwsRoleSession',
  'FederatedUser',
  'AccessKey',
  'IpAddress',
  'UserAgent',
  'Ec2Instance',
  'S3Bucket',
  'Finding',
  'AutonomousSystem',
  'AwsService',
  'ContainerCluster',
  'ContainerPod',
  'ContainerImage',
  'KubernetesSubject',
];

/** An entity type's icon, in its colour. Decorative: the type is also said in text. */
export function EntityIcon({ type, size = 16 }: { type: string; size?: number }) {
  const t = typeInfo(type);
  return (
    <svg
      className="etype-icon"
      width={size}
      height={size}
      viewBox="0 0 16 16"
      aria-hidden="true"
      focusable="false"
      style={{ color: t.color }}
    >
      <path d={t.icon} fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

/** A type badge: icon and type name. */
export function TypeBadge({ type }: { type: string }) {
  const t = typeInfo(type);
  return (
    <span className="type-badge" style={{ borderColor: t.color }} data-entity-type={type}>
      <EntityIcon type={type} size={14} />
      {t.name}
    </span>
  );
}

/** A type's name inside a sentence: "role session", but "AWS user", "EC2 instance". */
export function typeNameInSentence(type: string): string {
  const n = typeInfo(type).name;
  return /^[A-Z0-9]{2,}/.test(n) ? n : n.charAt(0).toLowerCase() + n.slice(1);
}
