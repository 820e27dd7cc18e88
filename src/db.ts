import mongoose, { type ConnectOptions, type Connection } from 'mongoose';

/**
 * Mongoose connection used by the whole process. `autoIndex` builds the indexes declared with the
 * schemas; `syncIndexes` at start makes sure they exist before the first write relies on them.
 * `monitorCommands` turns on the driver's command events, for tests that count round trips.
 */
export async function connectMongo(uri: string, driver: Pick<ConnectOptions, 'monitorCommands'> = {}): Promise<Connection> {
  // Keep queries strict about unknown fields; a typo must fail loudly, not match everything.
  mongoose.set('strictQuery', true);
  await mongoose.connect(uri, { serverSelectionTimeoutMS: 10_000, autoIndex: false, ...driver });
  await Promise.all(Object.values(mongoose.models).map((model) => model.createIndexes()));
  return mongoose.connection;
}

export async function disconnectMongo(): Promise<void> {
  await mongoose.disconnect();
}
