package main

import (
	"flag"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/trailhound/trailhound/internal/geoip"
	"github.com/trailhound/trailhound/internal/graph"
	"github.com/trailhound/trailhound/internal/objstore"
)

// geoOptions are the GeoIP flags shared by the commands that ingest.
type geoOptions struct {
	city *string
	asn  *string
	env  *environment
}

func geoFlags(env *environment, fs *flag.FlagSet) *geoOptions {
	return &geoOptions{
		city: fs.String("geoip-city", env.getenv("TRAILHOUND_GEOIP_CITY"), "City databases (.mmdb, GeoLite2 City or DB-IP City), comma-separated (env TRAILHOUND_GEOIP_CITY; default: the files `make geoip` puts in $TRAILHOUND_GEOIP_DIR or ./.geoip)"),
		asn:  fs.String("geoip-asn", env.getenv("TRAILHOUND_GEOIP_ASN"), "ASN databases (.mmdb, GeoLite2 ASN layout), comma-separated (env TRAILHOUND_GEOIP_ASN)"),
		env:  env,
	}
}

// open returns the enricher to use. Explicit paths must open; without
// any, the default files are used when present, and addresses are only
// classified (private, public, ...) when they are not.
func (g *geoOptions) open(dataDir string, log *slog.Logger) (graph.Enricher, func(), error) {
	cfg := geoip.Config{City: geoip.SplitList(*g.city), ASN: geoip.SplitList(*g.asn)}
	if len(cfg.City) == 0 && len(cfg.ASN) == 0 {
		for _, dir := range []string{g.env.getenv("TRAILHOUND_GEOIP_DIR"), filepath.Join(dataDir, "geoip"), geoip.DefaultDir} {
			if dir == "" {
				continue
			}
			def := geoip.DefaultConfig(dir)
			cfg = geoip.Config{}
			for _, p := range def.City {
				if exists(p) {
					cfg.City = append(cfg.City, p)
				}
			}
			for _, p := range def.ASN {
				if exists(p) {
					cfg.ASN = append(cfg.ASN, p)
				}
			}
			if len(cfg.City)+len(cfg.ASN) > 0 {
				break
			}
		}
		if len(cfg.City)+len(cfg.ASN) == 0 {
			log.Warn("geoip_missing", "hint", "no GeoIP databases found: addresses are stored without location or ASN; run `make geoip` or pass --geoip-city and --geoip-asn")
		}
	}
	r, err := geoip.Open(cfg)
	if err != nil {
		return nil, func() {}, err
	}
	return r.Enrich, func() { r.Close() }, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// s3Options are the flags for reading from S3 or an S3-compatible server.
type s3Options struct {
	endpoint  *string
	region    *string
	pathStyle *bool
	anonymous *bool
}

func s3Flags(env *environment, fs *flag.FlagSet) *s3Options {
	return &s3Options{
		endpoint:  fs.String("s3-endpoint", env.getenv("TRAILHOUND_S3_ENDPOINT"), "S3-compatible endpoint URL (default: AWS, or AWS_ENDPOINT_URL)"),
		region:    fs.String("s3-region", env.getenv("TRAILHOUND_S3_REGION"), "region of the bucket (default: AWS_REGION or us-east-1)"),
		pathStyle: fs.Bool("s3-path-style", env.getenv("TRAILHOUND_S3_PATH_STYLE") == "true", "path-style bucket addressing, needed by most S3-compatible servers"),
		anonymous: fs.Bool("s3-anonymous", false, "send unsigned requests (public buckets)"),
	}
}

func (s *s3Options) options() objstore.Options {
	return objstore.Options{Endpoint: *s.endpoint, Region: *s.region, PathStyle: *s.pathStyle, Anonymous: *s.anonymous}
}
