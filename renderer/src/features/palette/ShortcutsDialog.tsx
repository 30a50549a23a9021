// "?": every keyboard shortcut in one place.
import { useUi } from '../../app/store';
import { Dialog } from '../../app/ui/Dialog';

const SHORTCUTS: [string, string][] = [
  ['j / k', 'Next / previous conversation'],
  ['Enter', 'Open the selected conversation'],
  ['x', 'Select the conversation under the cursor for a bulk action'],
  ['Shift X', 'Select every conversation from the last one selected'],
  ['r', 'Reply to the open conversation'],
  ['e', 'Resolve (or reopen) the open conversation'],
  ['a', 'Claim the open conversation (team mode)'],
  ['/', 'Search messages and contacts'],
  ['Ctrl K / ⌘ K', 'Command palette'],
  ['Enter (in reply)', 'Send'],
  ['Shift Enter (in reply)', 'New line'],
  ['/ (start of reply)', 'Insert a canned reply'],
  ['Esc', 'Close a dialog or clear the search'],
  ['?', 'This list'],
];

export function ShortcutsDialog() {
  const close = () => useUi.setState({ shortcutsOpen: false });
  return (
    <Dialog
      title="Keyboard shortcuts"
      onClose={close}
      actions={
        <button type="button" className="btn btn-primary" onClick={close} autoFocus>
          Close
        </button>
      }
    >
      <p className="muted">Single-key shortcuts work whenever you are not typing in a field.</p>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <th scope="row">
                <kbd>{keys}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
