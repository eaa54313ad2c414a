/**
 * Labels the agent puts on every service it starts, so it only ever touches its own containers. Declared
 * here because the policy refuses a published compose that sets them; the agent imports them from here.
 */
export const LABEL_MANAGED_BY = 'org.amahi.hda.managed-by';
export const LABEL_IDENTIFIER = 'org.amahi.hda.identifier';
export const LABEL_INSTALL = 'org.amahi.hda.install';
export const AGENT_LABELS: readonly string[] = [LABEL_MANAGED_BY, LABEL_IDENTIFIER, LABEL_INSTALL];
