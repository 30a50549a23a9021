// Media in a message: an inline image where the CSP allows it, otherwise a link that opens outside.
import type { Message } from '@contract/schemas';
import { openExternal } from '../../api/connection';
import { useSession } from '../../api/session';
import { canShowInline } from './attachments';

const TYPE_LABELS: Record<Message['type'], string> = {
  text: 'Text',
  image: 'Image',
  video: 'Video',
  audio: 'Audio',
  file: 'File',
  other: 'Attachment',
};

export function AttachmentView({ type, url }: { type: Message['type']; url: string | null }) {
  const { connection } = useSession();
  if (!url)
    return <span className="attachment attachment-missing">{TYPE_LABELS[type]} (not available offline)</span>;
  if (type === 'image' && canShowInline(url)) {
    return <img className="attachment-image" src={url} alt="Image from the customer" loading="lazy" />;
  }
  return (
    <a
      className="attachment"
      href={url}
      onClick={(e) => {
        e.preventDefault();
        openExternal(connection, url);
      }}
    >
      📎 Open {TYPE_LABELS[type].toLowerCase()}
    </a>
  );
}
