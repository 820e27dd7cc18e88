import type { Types } from 'mongoose';
import { PlanModel } from '../../models/index.js';

/** The plan that commitment numbers and "measure owners" refer to when nobody names one: the newest. */
export async function currentPlanId(): Promise<Types.ObjectId | undefined> {
  const plan = await PlanModel.findOne({}, { _id: 1 }).sort({ number: -1 }).lean();
  return plan?._id;
}
