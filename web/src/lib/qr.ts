/**
 * How the enrolment screen draws the otpauth:// URI (components/MfaEnrolment.tsx): an SVG made by
 * `qrcode` in pure JavaScript, so the browser test can render the same URI in Node and compare.
 */
import QRCode from 'qrcode';

const QR_OPTIONS = { type: 'svg', errorCorrectionLevel: 'M', margin: 2, width: 200 } as const;

/** The QR code of `text` as an image URL (the page's CSP allows `img-src data:`). */
export async function qrCodeDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, QR_OPTIONS);
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
