import { Schema } from 'mongoose';
import { CONTACT_ROLES } from './contact.js';

/** Who a broadcast or meeting is for; empty lists mean "everybody". */
export const audienceSchema = new Schema(
  {
    roles: { type: [{ type: String, enum: CONTACT_ROLES }], default: [] },
    institutions: { type: [String], default: [] },
    commitments: { type: [Number], default: [] },
  },
  { _id: false },
);
