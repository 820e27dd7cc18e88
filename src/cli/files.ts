import { readFile } from 'node:fs/promises';

/** The file's text, or a one-line reason it cannot be read (missing, a folder, no permission). */
export async function readTextFile(path: string): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  try {
    return { ok: true, text: await readFile(path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : String(error);
    return { ok: false, message: `Cannot read ${path}: ${reason}` };
  }
}
