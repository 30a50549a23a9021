// An on/off switch whose accessible name is the flow's name.
import type { Flow } from '@contract/schemas';

interface Props {
  flow: Flow;
  describedBy?: string;
  onToggle: (active: boolean) => void;
}

export function FlowSwitch({ flow, describedBy, onToggle }: Props) {
  return (
    <button
      type="button"
      role="switch"
      className="switch"
      aria-checked={flow.active}
      aria-label={flow.name}
      aria-describedby={describedBy}
      disabled={!flow.toggleable}
      onClick={() => onToggle(!flow.active)}
    >
      <span className="switch-track" aria-hidden="true">
        <span className="switch-thumb" />
      </span>
      <span className="switch-text" aria-hidden="true">
        {flow.active ? 'On' : 'Off'}
      </span>
    </button>
  );
}
