import { withPreset } from '@skills/vitest-config';

export default withPreset();
