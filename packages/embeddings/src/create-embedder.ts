import { consoleLogger, NotAvailableError, type Logger, type Settings } from '@skills/protocol';
import type { Embedder } from './embedder.js';
import { LexicalEmbedder } from './lexical/lexical-embedder.js';
import { locateTransformerModel, TransformerEmbedder } from './transformer/transformer-embedder.js';

/**
 * The settings that choose an embedder (a subset of the protocol's `Settings`).
 *
 * @example
 * const settings: EmbedderSettings = { embedder: 'lexical', embeddingModel: 'Xenova/all-MiniLM-L6-v2', modelPath: null, allowModelDownload: false };
 */
export type EmbedderSettings = Pick<Settings, 'embedder' | 'embeddingModel' | 'modelPath' | 'allowModelDownload'>;

/** What `auto` chose, so it is told once per process and not on every open. */
const announced = new Set<string>();

/**
 * The embedder the settings ask for.
 * - `lexical`: always works, needs no model.
 * - `transformer`: the model from `modelPath` or the library's cache, downloaded only when
 *   `allowModelDownload`; throws {@link NotAvailableError} when that is not possible.
 * - `auto`: the transformer when its model is already on this machine, else lexical; never
 *   downloads. Logs its choice once.
 *
 * @example
 * const embedder = await createEmbedder({ embedder: 'auto', embeddingModel: 'Xenova/all-MiniLM-L6-v2', modelPath: null, allowModelDownload: false });
 * console.log(embedder.id);
 */
export async function createEmbedder(settings: EmbedderSettings, logger: Logger = consoleLogger): Promise<Embedder> {
  const options = {
    model: settings.embeddingModel,
    modelPath: settings.modelPath,
    allowDownload: settings.allowModelDownload,
  };
  switch (settings.embedder) {
    case 'lexical':
      return new LexicalEmbedder();
    case 'transformer':
      return TransformerEmbedder.load(options);
    case 'auto': {
      let embedder: Embedder;
      let why: string;
      try {
        const location = await locateTransformerModel(options);
        if (location) {
          embedder = await TransformerEmbedder.load({ ...options, allowDownload: false });
          why = `model found in ${location.folder}`;
        } else {
          embedder = new LexicalEmbedder();
          why = `transformer model ${settings.modelPath ?? settings.embeddingModel} is not on this machine`;
        }
      } catch (error) {
        embedder = new LexicalEmbedder();
        why = error instanceof NotAvailableError ? error.message : `the transformer failed to load: ${String(error)}`;
      }
      if (!announced.has(embedder.id)) {
        announced.add(embedder.id);
        logger.info(`embedder: ${embedder.id} (${why})`);
      }
      return embedder;
    }
  }
}
