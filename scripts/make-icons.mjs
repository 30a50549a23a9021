// Draws the app and tray icons into resources/ as PNGs (no image libraries: shapes are sampled with 4x4
// supersampling and encoded with zlib). Run once after changing a shape: node scripts/make-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources');
const SUPERSAMPLE = 4;

const BLUE = [37, 99, 235, 255];
const WHITE = [255, 255, 255, 255];
const RED = [239, 68, 68, 255];
const CLEAR = [0, 0, 0, 0];

// Shapes work in unit coordinates (0..1 across the icon).
const roundedRect = (x0, y0, x1, y1, r) => (x, y) => {
  const dx = Math.max(Math.abs(x - (x0 + x1) / 2) - ((x1 - x0) / 2 - r), 0);
  const dy = Math.max(Math.abs(y - (y0 + y1) / 2) - ((y1 - y0) / 2 - r), 0);
  return (
    Math.abs(x - (x0 + x1) / 2) <= (x1 - x0) / 2 &&
    Math.abs(y - (y0 + y1) / 2) <= (y1 - y0) / 2 &&
    dx * dx + dy * dy <= r * r
  );
};
const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const triangle =
  ([ax, ay], [bx, by], [cx, cy]) =>
  (x, y) => {
    const s1 = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    const s2 = (cx - bx) * (y - by) - (cy - by) * (x - bx);
    const s3 = (ax - cx) * (y - cy) - (ay - cy) * (x - cx);
    return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
  };
const union =
  (...shapes) =>
  (x, y) =>
    shapes.some((s) => s(x, y));

/** A speech bubble with a tail at the lower left, inside the box (x0, y0)-(x1, y1). */
const bubble = (x0, y0, x1, y1) => {
  const w = x1 - x0;
  const h = y1 - y0;
  const body = roundedRect(x0, y0, x1, y0 + h * 0.78, Math.min(w, h) * 0.22);
  const tail = triangle([x0 + w * 0.2, y0 + h * 0.7], [x0 + w * 0.18, y1], [x0 + w * 0.44, y0 + h * 0.74]);
  return union(body, tail);
};
const dots = (y, xs, r) => union(...xs.map((x) => circle(x, y, r)));

/** Layers are painted in order: [shape, rgba or (x, y) => rgba]; CLEAR punches a hole. */
function render(size, layers) {
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const x = (px + (sx + 0.5) / SUPERSAMPLE) / size;
          const y = (py + (sy + 0.5) / SUPERSAMPLE) / size;
          let color = CLEAR;
          for (const [shape, paint] of layers)
            if (shape(x, y)) color = typeof paint === 'function' ? paint(x, y) : paint;
          // Premultiplied accumulation keeps edges against transparency clean.
          const a = color[3] / 255;
          acc[0] += color[0] * a;
          acc[1] += color[1] * a;
          acc[2] += color[2] * a;
          acc[3] += a;
        }
      }
      const i = (py * size + px) * 4;
      const alpha = acc[3] / SUPERSAMPLE ** 2;
      for (let c = 0; c < 3; c++) pixels[i + c] = acc[3] > 0 ? Math.round(acc[c] / acc[3]) : 0;
      pixels[i + 3] = Math.round(alpha * 255);
    }
  }
  return encodePng(size, size, pixels);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++)
    rgba.copy(rows, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const lerp = (a, b, t) => a.map((v, i) => Math.round(v + (b[i] - v) * t));
const appIcon = (size) =>
  render(size, [
    [roundedRect(0.04, 0.04, 0.96, 0.96, 0.2), (_x, y) => lerp([59, 130, 246, 255], [29, 78, 216, 255], y)],
    [bubble(0.2, 0.24, 0.8, 0.8), WHITE],
    [dots(0.44, [0.36, 0.5, 0.64], 0.045), BLUE],
  ]);

const trayBase = [
  [bubble(0.06, 0.1, 0.94, 0.94), BLUE],
  [dots(0.43, [0.3, 0.5, 0.7], 0.07), WHITE],
];
const trayIcon = (size) => render(size, trayBase);
const trayUnreadIcon = (size) =>
  render(size, [...trayBase, [circle(0.8, 0.2, 0.25), CLEAR], [circle(0.8, 0.2, 0.19), RED]]);

const files = {
  'icon.png': appIcon(512),
  'tray.png': trayIcon(32),
  'tray@2x.png': trayIcon(64),
  'tray-unread.png': trayUnreadIcon(32),
  'tray-unread@2x.png': trayUnreadIcon(64),
};
mkdirSync(OUT, { recursive: true });
for (const [name, png] of Object.entries(files)) {
  writeFileSync(join(OUT, name), png);
  console.log(`resources/${name}: ${png.length} bytes`);
}
