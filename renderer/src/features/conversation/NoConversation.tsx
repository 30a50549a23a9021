// The reading pane while no conversation is open.
import { EmptyState } from '../../app/ui/states';

export function NoConversation() {
  return (
    <div className="conversation conversation-empty">
      <EmptyState title="Pick a conversation">
        Choose one from the list, or use <kbd>j</kbd>/<kbd>k</kbd> and <kbd>Enter</kbd>. Press <kbd>?</kbd>{' '}
        for all shortcuts.
      </EmptyState>
    </div>
  );
}
