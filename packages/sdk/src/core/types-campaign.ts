/** Campaign context (utm_* and click id), as in the schema's `context.campaign` (last touch) and `context.first_touch`. */
export interface Campaign {
  source?: string;
  medium?: string;
  name?: string;
  term?: string;
  content?: string;
  click_id?: string;
  click_id_type?: string;
}
