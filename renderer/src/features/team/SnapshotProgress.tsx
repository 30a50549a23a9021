// While the first snapshot of the team's conversations is being stored: how many are here so far. Hidden in solo
// mode and once the desktop follows the hub's feed.
import { useTeam } from './useTeam';

export function SnapshotProgress() {
  const snapshot = useTeam()?.snapshot;
  if (!snapshot || snapshot.done) return null;
  return (
    <div className="banner snapshot-progress" role="status" data-testid="snapshot-progress">
      Loading the team&apos;s conversations… {snapshot.conversations.toLocaleString()}
    </div>
  );
}
