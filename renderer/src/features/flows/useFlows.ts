// Chatbot flows across channels; switching one is optimistic and rolled back if the API refuses.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Channel, Flow } from '@contract/schemas';
import { errorMessage } from '../../api/client';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';
import { notify } from '../../app/store';

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

/** Switches a flow: the switch moves at once, and moves back with a message if the API refuses. */
export function useToggleFlow(channel: Channel) {
  const api = useApi();
  const qc = useQueryClient();
  const mutation = useMutation({
    mutationFn: ({ flow, active }: { flow: Flow; active: boolean }) =>
      api.call('patchFlow', { params: { id: flow.id }, body: { active } }),
    onSuccess: (saved) => {
      qc.setQueryData<FlowList>(keys.flows, (data) => replaceFlow(data, saved));
      if (saved.pending && !canReachProvider(channel)) {
        notify(
          `${channel.name} is unreachable: “${saved.name}” switches ${saved.active ? 'on' : 'off'} when it is back.`,
        );
      }
    },
    onError: (error, { flow, active }) => {
      qc.setQueryData<FlowList>(keys.flows, (data) => replaceFlow(data, flow));
      notify(`Could not switch “${flow.name}” ${active ? 'on' : 'off'}: ${errorMessage(error)}`, 'error');
    },
  });
  return (flow: Flow, active: boolean) => {
    void qc.cancelQueries({ queryKey: keys.flows });
    qc.setQueryData<FlowList>(keys.flows, (data) => replaceFlow(data, { ...flow, active }));
    mutation.mutate({ flow, active });
  };
}

export function useTestFlow() {
  const api = useApi();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: string }) =>
      api.call('testFlow', { params: { id }, body: { input } }),
  });
}
