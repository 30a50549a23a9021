// Chatbot flows across channels; switching one shows at once, can be undone for a few seconds, and is
// rolled back if the API refuses.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Channel, Flow } from '@contract/schemas';
import { errorMessage } from '../../api/client';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';
import { dismissNotice, notify } from '../../app/store';

type FlowList = { items: Flow[] };

/** Whether a change can go out to the provider now rather than wait in the outbox. */
export const canReachProvider = (c: Channel): boolean => c.status === 'live' || c.status === 'polling';

export function useFlows() {
  const api = useApi();
  return useQuery({ queryKey: keys.flows, queryFn: () => api.call('listFlows', { query: {} }) });
}

function replaceFlow(data: FlowList | undefined, flow: Flow): FlowList | undefined {
  return data ? { items: data.items.map((f) => (f.id === flow.id ? flow : f)) } : data;
}

/** How long a switch waits for Undo before it goes to the provider (through the outbox). */
export const UNDO_MS = 5000;

/** Switches not sent yet, by flow id: the flow as it was, and the timer that sends the change. */
const undoable = new Map<string, { before: Flow; timer: ReturnType<typeof setTimeout>; notice: number }>();

/**
 * Switches a flow: the switch moves at once, and the change is sent after a few seconds unless the agent
 * presses Undo (or flips it back) first, so an undone switch never reaches the provider or the outbox. The
 * switch moves back with a message if the API refuses.
 */
export function useToggleFlow(channel: Channel) {
  const api = useApi();
  const qc = useQueryClient();
  const show = (flow: Flow) => qc.setQueryData<FlowList>(keys.flows, (data) => replaceFlow(data, flow));

  const send = async (flow: Flow, active: boolean) => {
    try {
      const saved = await api.call('patchFlow', { params: { id: flow.id }, body: { active } });
      show(saved);
      if (saved.pending && !canReachProvider(channel)) {
        notify(
          `${channel.name} is unreachable: “${saved.name}” switches ${saved.active ? 'on' : 'off'} when it is back.`,
        );
      }
    } catch (error) {
      show(flow);
      notify(`Could not switch “${flow.name}” ${active ? 'on' : 'off'}: ${errorMessage(error)}`, 'error');
    }
  };

  const undo = (id: string) => {
    const waiting = undoable.get(id);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    dismissNotice(waiting.notice);
    undoable.delete(id);
    show(waiting.before);
  };

  return (flow: Flow, active: boolean) => {
    if (undoable.has(flow.id)) return undo(flow.id);
    void qc.cancelQueries({ queryKey: keys.flows });
    show({ ...flow, active });
    const timer = setTimeout(() => {
      undoable.delete(flow.id);
      void send(flow, active);
    }, UNDO_MS);
    const notice = notify(`“${flow.name}” switches ${active ? 'on' : 'off'} in a few seconds.`, 'info', {
      action: { label: 'Undo', run: () => undo(flow.id) },
      ms: UNDO_MS,
    });
    undoable.set(flow.id, { before: flow, timer, notice });
  };
}

export function useTestFlow() {
  const api = useApi();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: string }) =>
      api.call('testFlow', { params: { id }, body: { input } }),
  });
}
