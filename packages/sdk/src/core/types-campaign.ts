/** Campaign context (utm_* and click id), as in the v1 schema's `context.campaign`. */
export interface Campaign {
  source?: string;
  medium?: string;
  name?: string;
  term?: string;
  content?: string;
  click_id?: string;
  click_id_type?: string;
}
