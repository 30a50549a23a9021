// Mine · Unassigned · All above the inbox in team mode (nothing in solo mode).
import { ASSIGNEE_VIEWS, showAssigneeView, useAssigneeView } from './assigneeViews';
import { useTeam } from './useTeam';

export function AssigneeViewChips() {
  const team = useTeam();
  const current = useAssigneeView((s) => s.view);
  if (!team) return null;
  return (
    <div className="inbox-views">
      <div className="inbox-view-list" role="group" aria-label="Assignee">
        {ASSIGNEE_VIEWS.map((v) => (
          <button
            key={v.id}
            type="button"
            className={`view-chip${v.id === current ? ' is-current' : ''}`}
            aria-pressed={v.id === current}
            onClick={() => showAssigneeView(v.id)}
          >
            {v.name}
          </button>
        ))}
      </div>
    </div>
  );
}
