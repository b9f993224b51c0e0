/**
 * The `unitEconomics:` section (owned by src/analytics/unit-economics): declared groups of apps that share a
 * business KPI (a storefront's revenue earned by checkout and search together), and a default KPI file. A
 * group's ratio divides exactly its apps' allocated cost by the KPI rows that name the group (ADR 0036).
 */
import { z } from 'zod';

const NAME = /^[A-Za-z0-9._-]+$/;

const groupSchema = z.strictObject({
  apps: z
    .array(z.string().min(1, 'an app name (as on the traffic and in chargeback --by app)'))
    .min(1, "list the apps whose cost this group's KPI pays for, e.g. apps: [checkout, search]"),
  description: z.string().optional(),
});

/** Schema of `unitEconomics:`. */
export const unitEconomicsSchema = z
  .strictObject({
    groups: z
      .record(z.string(), groupSchema)
      .default({})
      .describe('groups of apps with a KPI of their own: { storefront: { apps: [checkout, search] } }'),
    kpiFile: z
      .string()
      .min(1)
      .optional()
      .describe('KPI CSV (date, app/team/group, metric, value) used when --kpi is not given'),
  })
  .superRefine((u, ctx) => {
    // An app's cost counts toward one group only, or a revenue ratio would divide the same dollars twice.
    const owner = new Map<string, string>();
    for (const [group, g] of Object.entries(u.groups)) {
      if (!NAME.test(group))
        ctx.addIssue({
          code: 'custom',
          path: ['groups', group],
          message: `"${group}" is not a group name: use letters, digits, . _ - only (it is the KPI file's group column)`,
        });
      const seen = new Set<string>();
      for (const app of g.apps) {
        if (seen.has(app))
          ctx.addIssue({
            code: 'custom',
            path: ['groups', group, 'apps'],
            message: `app "${app}" is listed twice in group ${group}: list it once`,
          });
        seen.add(app);
        const other = owner.get(app);
        if (other && other !== group)
          ctx.addIssue({
            code: 'custom',
            path: ['groups', group, 'apps'],
            message: `app "${app}" is in groups ${other} and ${group}: an app's cost counts toward one group only, so remove it from one of them`,
          });
        else owner.set(app, group);
      }
    }
  })
  .prefault({});

/** The parsed section. */
export type UnitEconomicsConfig = z.infer<typeof unitEconomicsSchema>;
