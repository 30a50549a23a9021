// Who a broadcast goes to: channels, contact tags and platforms (empty means no restriction).
import { PROVIDER_NAMES, type Audience, type Channel } from '@contract/schemas';
import { ChipsInput } from '../../app/ui/ChipsInput';
import { useAudienceSuggestions } from './useAudienceSuggestions';

interface Props {
  channels: Channel[];
  audience: Required<Audience>;
  onChange: (audience: Required<Audience>) => void;
}

export function AudiencePicker({ channels, audience, onChange }: Props) {
  const suggestions = useAudienceSuggestions();
  const toggleChannel = (id: string, on: boolean) =>
    onChange({
      ...audience,
      channelIds: on ? [...audience.channelIds, id] : audience.channelIds.filter((x) => x !== id),
    });

  return (
    <fieldset className="audience">
      <legend>Audience</legend>
      <div className="field">
        <span>Channels {audience.channelIds.length === 0 && <span className="muted">(all)</span>}</span>
        <div className="check-chips">
          {channels.map((c) => (
            <label key={c.id} className="check" title={PROVIDER_NAMES[c.provider]}>
              <input
                type="checkbox"
                checked={audience.channelIds.includes(c.id)}
                onChange={(e) => toggleChannel(c.id, e.target.checked)}
              />
              {c.name}
            </label>
          ))}
        </div>
      </div>
      <div className="field-row">
        <div className="field">
          <span>Contact tags {audience.tags.length === 0 && <span className="muted">(any)</span>}</span>
          <ChipsInput
            label="Contact tags"
            values={audience.tags}
            suggestions={suggestions.tags}
            placeholder="Type a tag and press Enter"
            onChange={(tags) => onChange({ ...audience, tags })}
          />
        </div>
        <div className="field">
          <span>Platforms {audience.platforms.length === 0 && <span className="muted">(any)</span>}</span>
          <ChipsInput
            label="Platforms"
            values={audience.platforms}
            suggestions={suggestions.platforms}
            placeholder="e.g. instagram, whatsapp"
            onChange={(platforms) => onChange({ ...audience, platforms })}
          />
        </div>
      </div>
    </fieldset>
  );
}
