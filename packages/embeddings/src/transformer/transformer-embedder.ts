import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotAvailableError } from '@skills/protocol';
import type { Embedder } from '../embedder.js';
import { hash32 } from '../lexical/hash.js';
import { normalize, type DenseVector } from '../vector.js';

/**
 * The model used when none is named: a small sentence-embedding model (384 dimensions).
 *
 * @example
 * await TransformerEmbedder.load({ model: DEFAULT_TRANSFORMER_MODEL, allowDownload: true });
 */
export const DEFAULT_TRANSFORMER_MODEL = 'Xenova/all-MiniLM-L6-v2';

/** Bumped whenever the way vectors are computed from a model changes (pooling, truncation). */
const PIPELINE_VERSION = 1;

/**
 * How to find and run a transformer model.
 *
 * @example
 * const options: TransformerEmbedderOptions = { modelPath: './models/minilm', quantized: true, batchSize: 16 };
 * const embedder = await TransformerEmbedder.load(options);
 */
export interface TransformerEmbedderOptions {
  /** Hugging Face model id, looked up in the library's cache (or downloaded when allowed). Default {@link DEFAULT_TRANSFORMER_MODEL}. */
  readonly model?: string;
  /** A local folder holding the model (config.json, tokenizer.json, onnx/model*.onnx); wins over `model`. */
  readonly modelPath?: string | null;
  /** Use the 8-bit quantized weights (`onnx/model_quantized.onnx`); false uses `onnx/model.onnx`. Default true. */
  readonly quantized?: boolean;
  /** Let the library download the model when it is not local. Default false: nothing leaves the machine. */
  readonly allowDownload?: boolean;
  /** The library's file cache (sets its global `env.cacheDir`); default the library's own. */
  readonly cacheDir?: string;
  /** Texts per model call. Default 32. */
  readonly batchSize?: number;
  /** Vectors of recent texts kept to answer repeated texts without the model. Default 1024; 0 turns it off. */
  readonly cacheSize?: number;
}

/** Files a model folder must hold to be loaded offline. */
function requiredFiles(quantized: boolean): string[] {
  return ['config.json', 'tokenizer.json', join('onnx', quantized ? 'model_quantized.onnx' : 'model.onnx')];
}

/** The subset of @huggingface/transformers this module uses (kept local so its types never leak). */
interface TransformersLibrary {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean; cacheDir: string | null; localModelPath: string };
  pipeline(
    task: 'feature-extraction',
    model: string,
    options: { dtype: string; device: string; local_files_only: boolean },
  ): Promise<unknown>;
}
type Extractor = ((texts: string[], options: { pooling: 'mean'; normalize: boolean }) => Promise<{
  data: ArrayLike<number>;
  dims: number[];
}>) & { model: { config: { hidden_size?: number } }; dispose?: () => Promise<void> };

let library: Promise<TransformersLibrary> | undefined;

/**
 * Imports @huggingface/transformers on first use, so installations without it never load it.
 * Throws {@link NotAvailableError} when it is not installed.
 *
 * @example
 * const available = await loadTransformers().then(() => true, () => false);
 */
export function loadTransformers(): Promise<TransformersLibrary> {
  library ??= import('@huggingface/transformers').then(
    (m) => m as unknown as TransformersLibrary,
    (cause: unknown) => {
      library = undefined;
      throw Object.assign(
        new NotAvailableError(
          'The transformer embedder needs the optional package @huggingface/transformers ' +
            '(pnpm add @huggingface/transformers), or use embedder: lexical.',
        ),
        { cause },
      );
    },
  );
  return library;
}

/**
 * Where a model was found on this machine (see {@link locateTransformerModel}).
 *
 * @example
 * const where: ModelLocation | null = await locateTransformerModel({ modelPath: './models/minilm' });
 */
export interface ModelLocation {
  /** What to hand the library: an absolute folder, or a model id resolved through its cache. */
  readonly ref: string;
  /** The folder holding the files. */
  readonly folder: string;
  /** `folder` (modelPath), `cache` (library cache) or `local-models` (the library's localModelPath). */
  readonly source: 'folder' | 'cache' | 'local-models';
}

/**
 * Finds the model's files on this machine without touching the network: the `modelPath`
 * folder when given, else the library's cache or local-models folder. Null when absent.
 *
 * @example
 * const where = await locateTransformerModel({ model: 'Xenova/all-MiniLM-L6-v2' });
 * console.log(where ? `found in ${where.folder}` : 'not downloaded');
 */
export async function locateTransformerModel(options: TransformerEmbedderOptions = {}): Promise<ModelLocation | null> {
  const files = requiredFiles(options.quantized ?? true);
  const complete = (folder: string) => files.every((f) => existsSync(join(folder, f)));
  if (options.modelPath) {
    const folder = resolve(options.modelPath);
    return complete(folder) ? { ref: folder, folder, source: 'folder' } : null;
  }
  const folders = await libraryFolders();
  const model = options.model ?? DEFAULT_TRANSFORMER_MODEL;
  const cacheDir = options.cacheDir ?? folders.cacheDir;
  if (cacheDir && complete(join(cacheDir, model))) return { ref: model, folder: join(cacheDir, model), source: 'cache' };
  const localFolder = join(folders.localModelPath, model);
  if (complete(localFolder)) return { ref: model, folder: localFolder, source: 'local-models' };
  return null;
}

/**
 * The library's model folders (its `env.cacheDir` and `env.localModelPath`). Once it is loaded, its
 * env says; before, they are its defaults, which it derives from where it is installed (the
 * package folder's `.cache/` and `models/`): read without importing it, so that looking for a
 * model that is absent (`auto` ending lexical) costs no import of the library and its runtime.
 * Throws {@link NotAvailableError} when the library is not installed.
 *
 * @example
 * const { cacheDir } = await libraryFolders(); // where a downloaded model would be
 */
export async function libraryFolders(): Promise<{ readonly cacheDir: string | null; readonly localModelPath: string }> {
  if (library) {
    const lib = await library;
    return { cacheDir: lib.env.cacheDir, localModelPath: lib.env.localModelPath };
  }
  let entry: string;
  try {
    entry = fileURLToPath(import.meta.resolve('@huggingface/transformers'));
  } catch {
    await loadTransformers(); // not installed: throws the error that says how to install it
    return libraryFolders();
  }
  // The package folder: its entry point is <package>/dist/<file>.
  const root = dirname(dirname(entry));
  return { cacheDir: join(root, '.cache/'), localModelPath: join(root, '/models/') };
}

interface LoadedModel {
  readonly id: string;
  readonly extractor: Extractor;
  readonly location: ModelLocation;
}

// Loaded models, shared by every embedder of the same model in this process: a second load
// reads no file, and one model's weights sit in memory once.
const loaded = new Map<string, Promise<LoadedModel>>();

async function open(
  lib: TransformersLibrary,
  options: TransformerEmbedderOptions,
  model: string,
  quantized: boolean,
): Promise<LoadedModel> {
  const allowDownload = options.allowDownload ?? false;
  const dtype = quantized ? 'q8' : 'fp32';
  let location = await locateTransformerModel(options);
  if (!location) {
    if (options.modelPath) {
      throw new NotAvailableError(
        `No transformer model in ${resolve(options.modelPath)}: it needs ${requiredFiles(quantized).join(', ')}.`,
      );
    }
    if (!allowDownload) {
      throw new NotAvailableError(
        `The transformer model ${model} is not on this machine and downloads are off. ` +
          'Set allowModelDownload: true to download it once, point modelPath at a folder holding it, or use embedder: lexical.',
      );
    }
    location = { ref: model, folder: join(options.cacheDir ?? lib.env.cacheDir ?? '', model), source: 'cache' };
  }
  // The library reads these globals at load time: set them for every load, never left to its defaults.
  lib.env.allowLocalModels = true;
  lib.env.allowRemoteModels = allowDownload;
  // Set globally: the library drops a per-call cache_dir on some paths (config lookup in 4.3).
  if (options.cacheDir) lib.env.cacheDir = options.cacheDir;
  let extractor: Extractor;
  try {
    extractor = (await lib.pipeline('feature-extraction', location.ref, {
      dtype,
      device: 'cpu',
      local_files_only: !allowDownload,
    })) as Extractor;
  } catch (cause) {
    throw Object.assign(new NotAvailableError(`Could not load the transformer model from ${location.folder}: ${String(cause)}`), {
      cause,
    });
  }
  const name =
    location.source === 'folder' ? `local:${basename(location.folder)}:${fingerprint(location.folder, quantized)}` : model;
  return { id: `transformer/${name}/${dtype}/v${PIPELINE_VERSION}`, extractor, location };
}

/**
 * Sentence embeddings from a local transformer model (ONNX, through @huggingface/transformers
 * on the CPU): mean pooling over tokens, L2-normalised. Batched; remembers recent texts.
 *
 * @example
 * const embedder = await TransformerEmbedder.load({ modelPath: './models/all-MiniLM-L6-v2' });
 * const [v] = await embedder.embed(['fix the failing type check']);
 * console.log(embedder.id, embedder.dimensions, v!.values.length);
 */
export class TransformerEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly kind = 'dense' as const;
  /** Sentence-transformer cosines of related texts sit well above 0.3. */
  readonly minSimilarity = 0.3;
  /** Where the model was loaded from. */
  readonly location: ModelLocation;
  readonly #extractor: Extractor;
  readonly #batchSize: number;
  readonly #cacheSize: number;
  readonly #recent = new Map<string, DenseVector>();
  readonly #stats = { computed: 0, cached: 0 };

  private constructor(id: string, extractor: Extractor, location: ModelLocation, options: TransformerEmbedderOptions) {
    this.id = id;
    this.#extractor = extractor;
    this.location = location;
    const hidden = extractor.model.config.hidden_size;
    if (!hidden) throw new NotAvailableError(`model at ${location.folder} has no hidden_size in config.json`);
    this.dimensions = hidden;
    this.#batchSize = Math.max(1, options.batchSize ?? 32);
    this.#cacheSize = Math.max(0, options.cacheSize ?? 1024);
  }

  /**
   * Loads the model, offline unless `allowDownload`. Throws {@link NotAvailableError} when the
   * library is not installed or the model is not on this machine.
   */
  static async load(options: TransformerEmbedderOptions = {}): Promise<TransformerEmbedder> {
    const lib = await loadTransformers();
    const quantized = options.quantized ?? true;
    const dtype = quantized ? 'q8' : 'fp32';
    const model = options.model ?? DEFAULT_TRANSFORMER_MODEL;
    const key = JSON.stringify(
      options.modelPath ? [resolve(options.modelPath), dtype] : [model, dtype, options.cacheDir ?? lib.env.cacheDir],
    );
    let entry = loaded.get(key);
    if (!entry) {
      entry = open(lib, options, model, quantized);
      loaded.set(key, entry);
      // A failed load is not remembered: the next call looks again.
      entry.catch(() => loaded.delete(key));
    }
    const { id, extractor, location } = await entry;
    return new TransformerEmbedder(id, extractor, location, options);
  }

  /** How many texts were run through the model, and how many were answered from recent texts. */
  get stats(): { readonly computed: number; readonly cached: number } {
    return { ...this.#stats };
  }

  async embed(texts: readonly string[]): Promise<DenseVector[]> {
    const out = new Array<DenseVector | undefined>(texts.length);
    const missing = new Set<string>();
    texts.forEach((text, i) => {
      const hit = this.#recent.get(text);
      if (hit) {
        // Refresh its place in the least-recently-used order.
        this.#recent.delete(text);
        this.#recent.set(text, hit);
        this.#stats.cached++;
        out[i] = hit;
      } else missing.add(text);
    });
    const computed = new Map<string, DenseVector>();
    const todo = [...missing];
    for (let start = 0; start < todo.length; start += this.#batchSize) {
      const batch = todo.slice(start, start + this.#batchSize);
      const tensor = await this.#extractor(batch, { pooling: 'mean', normalize: true });
      const [rows, width] = tensor.dims as [number, number];
      if (rows !== batch.length || width !== this.dimensions) {
        throw new Error(`model returned [${tensor.dims.join(', ')}] for ${batch.length} texts of ${this.dimensions} dimensions`);
      }
      for (let r = 0; r < rows; r++) {
        const values = Float32Array.from({ length: width }, (_, c) => tensor.data[r * width + c]!);
        computed.set(batch[r]!, normalize({ kind: 'dense', values }));
      }
      this.#stats.computed += batch.length;
    }
    for (const [text, v] of computed) this.#remember(text, v);
    return texts.map((t, i) => out[i] ?? computed.get(t)!);
  }

  #remember(text: string, v: DenseVector): void {
    if (this.#cacheSize === 0) return;
    this.#recent.set(text, v);
    while (this.#recent.size > this.#cacheSize) this.#recent.delete(this.#recent.keys().next().value!);
  }
}

/** Changes when the folder's model changes, so its vectors are not mixed with the old ones. */
function fingerprint(folder: string, quantized: boolean): string {
  const config = readFileSync(join(folder, 'config.json'), 'utf8');
  const size = statSync(join(folder, requiredFiles(quantized)[2]!)).size;
  return hash32(`${config}\n${size}`).toString(36);
}
