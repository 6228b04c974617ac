// Places of IP geolocation: a key to group addresses by place, and a
// readable name.

/** The key of a place: country, region and city. */
export function placeKey(l: { country?: string; region?: string; city?: string }): string {
  return [l.country ?? '', l.region ?? '', l.city ?? ''].join('|');
}

/** The name of a place, most specific first. */
export function placeName(l: { countryName?: string; country?: string; region?: string; city?: string }): string {
  return [l.city, l.region, l.countryName ?? l.country].filter(Boolean).join(', ') || 'Unknown place';
}
