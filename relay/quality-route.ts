import type { IncomingMessage, ServerResponse } from 'node:http';
import { classifyQuality, qualityRecommendations, type QualityMetrics } from '../core/protocol.js';
import type { QualityReport, RoomBackend } from './contracts.js';

/** Largest accepted request body, bytes. */
const MAX_BODY = 4096;

type Json = (res: ServerResponse, status: number, body: unknown) => void;

/** A request body as JSON, or why not. */
export type BodyResult = { ok: true; value: unknown } | { ok: false; error: 'too-large' | 'not-json' };

/** Reads a JSON body of at most `max` bytes. A larger body is drained, not buffered. */
export function readJsonBody(req: IncomingMessage, max = MAX_BODY): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.on('end', () => {
      if (size > max) return resolve({ ok: false, error: 'too-large' });
      try {
        resolve({ ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      } catch {
        resolve({ ok: false, error: 'not-json' });
      }
    });
    req.on('error', () => resolve({ ok: false, error: 'not-json' }));
  });
}

/** A finite, non-negative number (or null when absent), from either of two field names. */
function figure(body: Record<string, unknown>, camel: string, snake: string, max: number): number | null | undefined {
  const v = body[camel] ?? body[snake];
  if (v === undefined || v === null) return null;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= max ? v : undefined;
}

/**
 * `POST /rooms/:id/quality`: a member reports its link figures; the relay keeps the latest per
 * member and answers with the classification and recommendations (seed 001). The member proves
 * who it is with its peer id (`peer` in the body) and its key (`Authorization: Bearer <key>`).
 * Field names follow the seeds too (`latency_ms`, `packet_loss_percent`, `jitter_ms`, `bandwidth_kbps`).
 */
export async function postQuality(backend: RoomBackend, roomId: string, req: IncomingMessage, res: ServerResponse, json: Json, now: number): Promise<void> {
  const read = await readJsonBody(req);
  if (!read.ok && read.error === 'too-large') return json(res, 413, { error: 'payload-too-large', message: 'the body may be at most 4 KiB' });
  const body = read.ok ? read.value : null;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return json(res, 400, { error: 'invalid-field', message: 'send a JSON object' });
  }
  const b = body as Record<string, unknown>;
  const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (typeof b.peer !== 'string' || !key || !(await backend.checkMemberKey(roomId, b.peer, key))) {
    return json(res, 403, { error: 'not-joined', message: 'report as a member of this room: "peer" in the body and "Authorization: Bearer <key>"' });
  }
  const metrics = {
    rttMs: figure(b, 'rttMs', 'latency_ms', 600_000),
    lossPercent: figure(b, 'lossPercent', 'packet_loss_percent', 100),
    jitterMs: figure(b, 'jitterMs', 'jitter_ms', 600_000),
    bitrateKbps: figure(b, 'bitrateKbps', 'bandwidth_kbps', 10_000_000),
  };
  const bad = Object.entries(metrics).filter(([, v]) => v === undefined).map(([k]) => k);
  if (bad.length > 0) return json(res, 400, { error: 'invalid-field', message: `not a valid figure: ${bad.join(', ')}` });
  const m = metrics as QualityMetrics;
  const quality = classifyQuality(m);
  const report: QualityReport = { quality, metrics: m, at: now };
  await backend.setQuality(roomId, b.peer as string, report);
  json(res, 200, { quality, metrics: m, recommendations: qualityRecommendations(quality), timestamp: new Date(report.at).toISOString() });
}
