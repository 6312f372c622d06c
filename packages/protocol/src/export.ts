import { z } from 'zod';
import { descriptionField } from './fields.js';
import { InvocationRecordSchema, SkillNameSchema } from './invocation.js';
import { projectField } from './projects.js';

/**
 * The current version of the export format. Readers accept every version up to this one.
 * Version 2 added each record's `source`; a version 1 document (without it) imports with none.
 * Version 3 added each record's `project` and `alternativeScores`, and each catalog entry's
 * `project`; an older document imports into the importing view's project (or `default`).
 */
export const EXPORT_FORMAT_VERSION = 3;

/** A whole store as JSON: `skills export` writes it, `skills import` reads it back losslessly. */
export const ExportDocumentSchema = z.strictObject({
  format: z.literal('skills-export', { error: 'format must be "skills-export"' }),
  version: z
    .number()
    .int()
    .min(1)
    .max(EXPORT_FORMAT_VERSION, { error: `version must be at most ${EXPORT_FORMAT_VERSION} (a newer tool wrote it)` }),
  exportedAt: z.iso.datetime({ offset: true }),
  invocations: z.array(InvocationRecordSchema),
  catalog: z
    .array(
      z.strictObject({
        skillName: SkillNameSchema,
        description: descriptionField('description'),
        /** The entry's project; absent: the importing view's project, or `default`. */
        project: projectField('project').optional(),
      }),
    )
    .default([]),
});
export type ExportDocument = z.output<typeof ExportDocumentSchema>;
