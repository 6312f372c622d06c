import { withPreset } from './index.js';

export default withPreset();
