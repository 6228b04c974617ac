// Reads the raw records of /api/v1/events as they stream (NDJSON), a page
// at a time: the answer can hold hundreds of thousands of records, so the
// drawer reads only as far as the analyst pages.

import { ApiError } from '../api/client';

/** A CloudTrail record as delivered: untrusted JSON. */
export type RawRecord = Record<string, unknown>;

/** Pulls records from one /events answer on demand. */
export class RecordStream {
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private decoder = new TextDecoder();
  private buffer = '';
  private started: Promise<void> | undefined;
  /** Records read so far. */
  readonly records: RawRecord[] = [];
  /** True once the answer ended normally. */
  done = false;
  /** The scope the server used (X-Trailhound-Scope). */
  scope: { scopeStart: number; scopeEnd: number } | undefined;
  /** The source of the records (X-Trailhound-Source): cloudtrail, vpcflow or guardduty. */
  source: string | undefined;

  constructor(
    private url: string,
    private signal: AbortSignal,
  ) {}

  private start(): Promise<void> {
    if (!this.started) {
      this.started = (async () => {
        let res: Response;
        try {
          res = await fetch(this.url, { signal: this.signal, headers: { Accept: 'application/x-ndjson' } });
        } catch (err) {
          if (err instanceof DOMException && err.name === 'AbortError') throw err;
          throw new ApiError('network', 'The Trailhound server could not be reached.', 0);
        }
        if (!res.ok) {
          let code = 'internal';
          let message = `The server answered ${res.status}.`;
          try {
            const body = (await res.json()) as { error?: { code?: string; message?: string } };
            code = body.error?.code ?? code;
            message = body.error?.message ?? message;
          } catch {
            // keep the generic message
          }
          throw new ApiError(code, message, res.status);
        }
        const h = res.headers.get('X-Trailhound-Scope');
        const m = h ? /^(\d+)-(\d+)$/.exec(h) : null;
        if (m) this.scope = { scopeStart: Number(m[1]), scopeEnd: Number(m[2]) };
        this.source = res.headers.get('X-Trailhound-Source') ?? undefined;
        if (!res.body) throw new ApiError('bad_response', 'The answer had no body.', res.status);
        this.reader = res.body.getReader();
      })();
    }
    return this.started;
  }

  /**
   * Reads until at least want records are held (or the answer ends). A
   * connection cut midway is an error: the records read stay available,
   * but the analyst is told the list is incomplete.
   */
  async fill(want: number): Promise<void> {
    await this.start();
    while (!this.done && this.records.length < want) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await this.reader!.read();
      } catch (err) {
        if (err instanceof DOMException && err.name === 'AbortError') throw err;
        throw new ApiError('stream_cut', 'The server stopped sending records midway; the list is incomplete.', 0);
      }
      if (chunk.done) {
        this.buffer += this.decoder.decode();
        this.take(true);
        this.done = true;
        break;
      }
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
      this.take(false);
    }
  }

  private take(final: boolean) {
    const lines = this.buffer.split('\n');
    this.buffer = final ? '' : (lines.pop() ?? '');
    for (const line of lines) {
      const t = line.trim();
      if (!t) continue;
      try {
        const v = JSON.parse(t) as unknown;
        this.records.push(v && typeof v === 'object' ? (v as RawRecord) : { value: v });
      } catch {
        this.records.push({ unparsable: t });
      }
    }
  }

  /** Stops reading. */
  cancel() {
    this.reader?.cancel().catch(() => undefined);
  }
}
