// No channels yet: connect one, or look around a demo workspace fed by the built-in simulators.
import { errorMessage } from '../../api/client';
import { navigate, useUi } from '../../app/store';
import { useStartDemo } from './useChannels';

export function FirstRun() {
  const demo = useStartDemo();
  const onChannelsView = useUi((s) => s.view === 'channels');
  return (
    <div className="first-run">
      <h2>Welcome to Agent Inbox</h2>
      <p>
        Connect the chat platforms your team uses — ChatPion, Chatbots Platform, InstantChat, Assistify,
        ChatAPI — and answer every customer from one inbox, even offline.
        {onChannelsView ? ' Add your first channel below, or look around a demo workspace first.' : ''}
      </p>
      <div className="first-run-actions">
        {!onChannelsView && (
          <button type="button" className="btn btn-primary" onClick={() => navigate('channels')}>
            Add a channel
          </button>
        )}
        <button type="button" className="btn" disabled={demo.isPending} onClick={() => demo.mutate()}>
          {demo.isPending ? 'Starting the demo…' : 'Try the demo workspace'}
        </button>
      </div>
      {demo.isError && (
        <p className="form-error" role="alert">
          The demo workspace could not be started: {errorMessage(demo.error)}
        </p>
      )}
    </div>
  );
}
