// Finding severity as Detective and GuardDuty show it: Low (below 4),
// Medium (4 to below 7), High (7 to below 9), Critical (9 and above).

export type SeverityLevel = 'critical' | 'high' | 'medium' | 'low';

/** The level of a GuardDuty severity score. */
export function severityLevel(score: number): SeverityLevel {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

export const severityLevels: SeverityLevel[] = ['critical', 'high', 'medium', 'low'];

export const severityNames: Record<SeverityLevel, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

/** Colours of the levels (also used by charts). */
export const severityColors: Record<SeverityLevel, string> = {
  critical: '#870303',
  high: '#d13212',
  medium: '#e07b00',
  low: '#3b7dd8',
};

/** A severity pill: the level's name and the score, coloured by level. */
export function SeverityBadge({ score }: { score: number }) {
  const level = severityLevel(score);
  return (
    <span className={`severity severity-${level}`} data-severity={level} title={`Severity ${score} (${severityNames[level]})`}>
      {severityNames[level]}
      <span className="severity-score">{Number.isInteger(score) ? score.toFixed(1) : score}</span>
    </span>
  );
}
