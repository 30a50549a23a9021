// One flow: switch, name, description, why it cannot be switched, pending state and Test.
import { useId, useState } from 'react';
import type { Channel, Flow } from '@contract/schemas';
import { FlowSwitch } from './FlowSwitch';
import { FlowTester } from './FlowTester';
import { canReachProvider, useToggleFlow } from './useFlows';

export function FlowRow({ flow, channel }: { flow: Flow; channel: Channel }) {
  const toggle = useToggleFlow(channel);
  const [testing, setTesting] = useState(false);
  const noteId = useId();
  const note = !flow.toggleable
    ? (flow.reason ?? 'This provider does not let flows be switched through its API.')
    : flow.pending
      ? canReachProvider(channel)
        ? `Switching ${flow.active ? 'on' : 'off'} at ${channel.name}…`
        : `Queued while ${channel.name} is unreachable — switches ${flow.active ? 'on' : 'off'} when it is back.`
      : null;

  return (
    <li className={`flow-row${flow.toggleable ? '' : ' is-locked'}`}>
      <FlowSwitch
        flow={flow}
        describedBy={note ? noteId : undefined}
        onToggle={(active) => toggle(flow, active)}
      />
      <div className="flow-main">
        <p className="flow-name">{flow.name}</p>
        {flow.description && <p className="flow-description">{flow.description}</p>}
        {note && (
          <p id={noteId} className={flow.pending ? 'flow-note is-pending' : 'flow-note'}>
            {note}
          </p>
        )}
        {testing && <FlowTester flow={flow} onClose={() => setTesting(false)} />}
      </div>
      {flow.testable && !testing && (
        <button
          type="button"
          className="btn btn-small"
          onClick={() => setTesting(true)}
          aria-label={`Test ${flow.name}`}
        >
          Test
        </button>
      )}
    </li>
  );
}
