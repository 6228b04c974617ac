package synth

import (
	"math"
	"math/bits"
)

// rng is a small, fast, deterministic pseudo-random generator (wyrand).
// Every file, session and event is seeded from a hash of the configuration
// seed and stable names, never from shared state, so output does not depend
// on the order in which parallel workers run.
type rng struct{ s uint64 }

// newRNG returns a generator seeded by mixing the given parts.
func newRNG(parts ...uint64) rng {
	return rng{s: mixSeed(parts...)}
}

// mixSeed folds parts into one well-spread 64-bit seed.
func mixSeed(parts ...uint64) uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	for _, p := range parts {
		h = splitmix(h ^ p)
	}
	return h
}

// hashString is FNV-1a, used to turn names into seed parts.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return splitmix(h)
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (r *rng) next() uint64 {
	r.s += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(r.s, r.s^0xe7037ed1a0b428db)
	return hi ^ lo
}

// intn returns a uniform integer in [0, n); n must be positive.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}

// between returns a uniform integer in [lo, hi].
func (r *rng) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.intn(hi-lo+1)
}

// float returns a uniform float in [0, 1).
func (r *rng) float() float64 {
	return float64(r.next()>>11) / (1 << 53)
}

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// normal returns a standard normal deviate (Box-Muller).
func (r *rng) normal() float64 {
	u := r.float()
	if u < 1e-300 {
		u = 1e-300
	}
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*r.float())
}

// lognormal returns exp(mu + sigma*N(0,1)).
func (r *rng) lognormal(mu, sigma float64) float64 {
	return math.Exp(mu + sigma*r.normal())
}

// exp returns an exponential deviate with the given mean.
func (r *rng) exp(mean float64) float64 {
	u := r.float()
	if u < 1e-300 {
		u = 1e-300
	}
	return -math.Log(u) * mean
}

// poisson returns a Poisson deviate with mean lambda. Small means use
// Knuth's product method; large ones a rounded normal approximation, which
// is indistinguishable at the scale of per-window event counts.
func (r *rng) poisson(lambda float64) int {
	switch {
	case lambda <= 0:
		return 0
	case lambda < 30:
		l := math.Exp(-lambda)
		k, p := 0, r.float()
		for p > l {
			k++
			p *= r.float()
		}
		return k
	default:
		n := int(math.Round(lambda + math.Sqrt(lambda)*r.normal()))
		if n < 0 {
			return 0
		}
		return n
	}
}

// pick returns a uniformly chosen element of s.
func pick[T any](r *rng, s []T) T { return s[r.intn(len(s))] }

// weighted chooses an index by cumulative weights (cum[i] is the sum of
// weights 0..i).
func weighted(r *rng, cum []float64) int {
	if len(cum) == 0 {
		return 0
	}
	x := r.float() * cum[len(cum)-1]
	lo, hi := 0, len(cum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if cum[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// cumulative turns weights into the running sums weighted expects.
func cumulative(w []float64) []float64 {
	out := make([]float64, len(w))
	s := 0.0
	for i, v := range w {
		s += v
		out[i] = s
	}
	return out
}

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	base32Set  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	mixedAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	hexDigits  = "0123456789abcdef"
	base64Set  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// appendChars appends n characters drawn from set.
func (r *rng) appendChars(b []byte, set string, n int) []byte {
	for n > 0 {
		x := r.next()
		for k := 0; k < 8 && n > 0; k++ {
			b = append(b, set[int(uint64(byte(x))*uint64(len(set))>>8)])
			x >>= 8
			n--
		}
	}
	return b
}

// chars returns n characters drawn from set.
func (r *rng) chars(set string, n int) string {
	return string(r.appendChars(make([]byte, 0, n), set, n))
}

// appendUUID appends a random version-4 UUID.
func (r *rng) appendUUID(b []byte) []byte {
	hi, lo := r.next(), r.next()
	hi = hi&^0xf000 | 0x4000
	lo = lo&^(0xc<<60) | 0x8<<60
	b = appendHex(b, hi>>32, 8)
	b = append(b, '-')
	b = appendHex(b, hi>>16, 4)
	b = append(b, '-')
	b = appendHex(b, hi, 4)
	b = append(b, '-')
	b = appendHex(b, lo>>48, 4)
	b = append(b, '-')
	return appendHex(b, lo, 12)
}

// uuid returns a random version-4 UUID.
func (r *rng) uuid() string { return string(r.appendUUID(make([]byte, 0, 36))) }

// appendHex appends the low n hex digits of v.
func appendHex(b []byte, v uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		b = append(b, hexDigits[(v>>(uint(i)*4))&0xf])
	}
	return b
}

// hexString returns n random lowercase hex digits.
func (r *rng) hexString(n int) string {
	b := make([]byte, 0, n)
	for n > 0 {
		k := min(n, 16)
		b = appendHex(b, r.next(), k)
		n -= k
	}
	return string(b)
}
