// Runs a flow against a sample customer message and shows what it answered.
import { useState } from 'react';
import type { Flow } from '@contract/schemas';
import { errorMessage } from '../../api/client';
import { useTestFlow } from './useFlows';

export function FlowTester({ flow, onClose }: { flow: Flow; onClose: () => void }) {
  const [input, setInput] = useState('Hello, I need help with my order');
  const test = useTestFlow();
  return (
    <form
      className="flow-test"
      aria-label={`Test ${flow.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        if (input.trim()) test.mutate({ id: flow.id, input: input.trim() });
      }}
    >
      <label className="field">
        <span>Sample customer message</span>
        <input type="text" value={input} maxLength={2000} onChange={(e) => setInput(e.target.value)} />
      </label>
      <div className="form-actions">
        <button
          type="submit"
          className="btn btn-primary btn-small"
          disabled={!input.trim() || test.isPending}
        >
          {test.isPending ? 'Running…' : 'Run test'}
        </button>
        <button type="button" className="btn btn-ghost btn-small" onClick={onClose}>
          Close
        </button>
      </div>
      {test.data && (
        <div className="flow-test-result" role="status">
          <span className="muted">
            Flow answered{test.data.steps !== undefined ? ` after ${test.data.steps} steps` : ''}:
          </span>
          <p>{test.data.output || '(no reply)'}</p>
        </div>
      )}
      {test.isError && (
        <p className="form-error" role="alert">
          The test could not run: {errorMessage(test.error)}
        </p>
      )}
    </form>
  );
}
