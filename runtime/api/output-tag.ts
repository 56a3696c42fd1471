// Names a side output (e.g. late data of a window); equal ids mean the same side output.
export class OutputTag<T> {
  readonly id: string;
  declare readonly _type?: T;
  constructor(id: string) {
    this.id = id;
  }
}
