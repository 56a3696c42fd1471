// Text for generated events. Random strings are slices of two fixed pools of pseudo-random
// characters instead of being built one character at a time: one draw for the offset and
// one for the length keep generation cheap (V8 slices share the pool's memory) while the
// text stays as varied as Nexmark's. The Java port builds the same pools.

import { Prng } from './prng.ts';

// Math functions bound once: module constants are cheaper than global lookups in sandboxed contexts (jest's vm).
const { round, min } = Math;

export const POOL_LENGTH = 1 << 16;
/** Words are separated by a space roughly once in 13 characters, as in Nexmark. */
const SPACE_ONE_IN = 13;
const MIN_STRING_LENGTH = 3;

function buildPool(poolSeed: number, withSpaces: boolean): string {
  const random = new Prng();
  random.reseed(poolSeed);
  const codes = new Array<number>(POOL_LENGTH);
  for (let i = 0; i < POOL_LENGTH; i++) {
    codes[i] = withSpaces && random.nextInt(SPACE_ONE_IN) === 0 ? 32 : 97 + random.nextInt(26);
  }
  let text = '';
  for (let i = 0; i < POOL_LENGTH; i += 4096) text += String.fromCharCode(...codes.slice(i, i + 4096));
  return text;
}

export const TEXT_POOL = buildPool(0x7e57, true);
export const LETTER_POOL = buildPool(0x1e77e5, false);

/** Lower-case words of 3 to maxLength-1 characters, trimmed (Nexmark's nextString). */
export function nextString(random: Prng, maxLength: number): string {
  const length = MIN_STRING_LENGTH + random.nextInt(maxLength - MIN_STRING_LENGTH);
  const start = random.nextInt(POOL_LENGTH - length);
  return TEXT_POOL.substring(start, start + length).trim();
}

/** Exactly `length` letters. */
export function nextExactString(random: Prng, length: number): string {
  const start = random.nextInt(POOL_LENGTH - length);
  return LETTER_POOL.substring(start, start + length);
}

/** Padding that brings an event to about `desiredAverageSize` bytes (±20%), as in Nexmark. */
export function nextExtra(random: Prng, currentSize: number, desiredAverageSize: number): string {
  if (currentSize > desiredAverageSize) return '';
  const wanted = desiredAverageSize - currentSize;
  const delta = round(wanted * 0.2);
  const size = wanted - delta + (delta === 0 ? 0 : random.nextInt(2 * delta));
  return nextExactString(random, min(size, POOL_LENGTH - 1));
}

/** Four groups of four digits. */
export function nextCreditCard(random: Prng): string {
  return `${FOUR_DIGITS[random.nextInt(10000)]} ${FOUR_DIGITS[random.nextInt(10000)]} ${FOUR_DIGITS[random.nextInt(10000)]} ${FOUR_DIGITS[random.nextInt(10000)]}`;
}

/** "0000" to "9999", formatted once instead of per person. */
const FOUR_DIGITS: readonly string[] = Array.from({ length: 10000 }, (_, value) => String(value).padStart(4, '0'));

export const US_STATES: readonly string[] = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
export const US_CITIES: readonly string[] = [
  'Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne',
];
export const FIRST_NAMES: readonly string[] = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
export const LAST_NAMES: readonly string[] = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];

/** Bid channels: half the bids come from one of four hot channels, the rest from 10,000 others. */
export const HOT_CHANNELS: readonly string[] = ['Google', 'Facebook', 'Baidu', 'Apple'];
export const CHANNELS_NUMBER = 10_000;

function baseUrl(random: Prng): string {
  return `https://www.nexmark.com/${nextString(random, 5).replaceAll(' ', '_')}/${nextString(random, 5).replaceAll(' ', '_')}/${nextString(random, 5).replaceAll(' ', '_')}/item.htm?query=1`;
}

function buildChannelTables(): { names: string[]; urls: string[]; hotUrls: string[] } {
  const random = new Prng();
  const names: string[] = [];
  const urls: string[] = [];
  for (let channel = 0; channel < CHANNELS_NUMBER; channel++) {
    random.reseed(0xc4a7 + channel);
    names.push(`channel-${channel}`);
    urls.push(`${baseUrl(random)}&channel_id=${reverseDigits(channel)}`);
  }
  const hotUrls = HOT_CHANNELS.map((_, i) => {
    random.reseed(0x407 + i);
    return baseUrl(random);
  });
  return { names, urls, hotUrls };
}

function reverseDigits(value: number): string {
  return String(value).split('').reverse().join('');
}

export const CHANNELS = buildChannelTables();
