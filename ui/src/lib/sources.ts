// Names of the log sources Trailhound ingests.

const sourceNames: Record<string, string> = { cloudtrail: 'CloudTrail', vpcflow: 'VPC Flow Logs', guardduty: 'GuardDuty' };

/** The name of a log source ("cloudtrail" → "CloudTrail"). */
export function sourceName(s: string): string {
  return sourceNames[s] ?? s;
}
