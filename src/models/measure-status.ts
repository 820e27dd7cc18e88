/**
 * Status of a measure. The council counts three groups (not started; started and in progress;
 * completed or with substantial progress); "completed" stays distinct from "substantial progress",
 * and a report may also say "delayed" or "cancelled".
 */
export const MEASURE_STATUSES = ['not_started', 'in_progress', 'substantial', 'completed', 'delayed', 'cancelled'] as const;
export type MeasureStatus = (typeof MEASURE_STATUSES)[number];

export const COUNCIL_GROUPS = ['not_started', 'in_progress', 'completed_or_substantial'] as const;
export type CouncilGroup = (typeof COUNCIL_GROUPS)[number];

/** How the council's slide groups a status; a delayed measure is still started and in progress. */
export function councilGroup(status: MeasureStatus): CouncilGroup | null {
  switch (status) {
    case 'not_started':
      return 'not_started';
    case 'in_progress':
    case 'delayed':
      return 'in_progress';
    case 'substantial':
    case 'completed':
      return 'completed_or_substantial';
    case 'cancelled':
      return null;
  }
}
