package synth

// region is an AWS region with the public address ranges that matter for
// synthetic traffic: where its EC2 public addresses come from, where its S3
// endpoints answer, and where other AWS service endpoints live.
type region struct {
	Name  string
	AZs   []string // availability zone names
	AZIDs []string // the matching zone IDs
	City  string
	ec2   []prefix
	s3    []prefix
	aws   []prefix
	idx   int // position in world.regions, set when the world is built
}

var allRegions = map[string]*region{
	"us-east-1": {Name: "us-east-1", City: "Ashburn",
		AZs: []string{"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"}, AZIDs: []string{"use1-az6", "use1-az1", "use1-az2", "use1-az4"},
		ec2: prefixes("3.80.0.0/12", "44.192.0.0/11"), s3: prefixes("52.216.0.0/15"), aws: prefixes("52.94.0.0/22", "54.239.28.0/22")},
	"eu-west-1": {Name: "eu-west-1", City: "Dublin",
		AZs: []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}, AZIDs: []string{"euw1-az2", "euw1-az1", "euw1-az3"},
		ec2: prefixes("34.240.0.0/13", "54.72.0.0/15"), s3: prefixes("52.218.0.0/17"), aws: prefixes("52.94.24.0/23", "52.119.240.0/21")},
	"us-west-2": {Name: "us-west-2", City: "Boardman",
		AZs: []string{"us-west-2a", "us-west-2b", "us-west-2c"}, AZIDs: []string{"usw2-az2", "usw2-az1", "usw2-az3"},
		ec2: prefixes("34.208.0.0/12", "44.224.0.0/11"), s3: prefixes("52.218.128.0/17"), aws: prefixes("52.94.28.0/23", "52.119.160.0/20")},
	"eu-central-1": {Name: "eu-central-1", City: "Frankfurt am Main",
		AZs: []string{"eu-central-1a", "eu-central-1b", "eu-central-1c"}, AZIDs: []string{"euc1-az2", "euc1-az3", "euc1-az1"},
		ec2: prefixes("3.120.0.0/14", "18.184.0.0/15"), s3: prefixes("52.219.168.0/21"), aws: prefixes("52.94.17.0/24", "52.119.188.0/22")},
	"ap-southeast-2": {Name: "ap-southeast-2", City: "Sydney",
		AZs: []string{"ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"}, AZIDs: []string{"apse2-az1", "apse2-az3", "apse2-az2"},
		ec2: prefixes("13.236.0.0/14", "3.24.0.0/14"), s3: prefixes("52.95.128.0/21"), aws: prefixes("52.94.13.0/24", "52.119.210.0/23")},
	"ap-northeast-3": {Name: "ap-northeast-3", City: "Osaka",
		AZs: []string{"ap-northeast-3a", "ap-northeast-3b", "ap-northeast-3c"}, AZIDs: []string{"apne3-az3", "apne3-az1", "apne3-az2"},
		ec2: prefixes("15.152.0.0/16", "13.208.0.0/16"), s3: prefixes("52.95.156.0/24"), aws: prefixes("52.94.9.0/24")},
	"sa-east-1": {Name: "sa-east-1", City: "Sao Paulo",
		AZs: []string{"sa-east-1a", "sa-east-1b", "sa-east-1c"}, AZIDs: []string{"sae1-az1", "sae1-az2", "sae1-az3"},
		ec2: prefixes("18.228.0.0/16", "54.232.0.0/16"), s3: prefixes("52.95.164.0/23"), aws: prefixes("52.94.7.0/24")},
	"ap-south-1": {Name: "ap-south-1", City: "Mumbai",
		AZs: []string{"ap-south-1a", "ap-south-1b", "ap-south-1c"}, AZIDs: []string{"aps1-az1", "aps1-az3", "aps1-az2"},
		ec2: prefixes("13.232.0.0/14", "3.6.0.0/15"), s3: prefixes("52.219.64.0/22"), aws: prefixes("52.94.11.0/24")},
	"ca-central-1": {Name: "ca-central-1", City: "Montreal",
		AZs: []string{"ca-central-1a", "ca-central-1b", "ca-central-1d"}, AZIDs: []string{"cac1-az1", "cac1-az2", "cac1-az4"},
		ec2: prefixes("15.222.0.0/15", "3.96.0.0/14"), s3: prefixes("52.95.146.0/23"), aws: prefixes("52.94.18.0/24")},
}

// Organizations choose one of these region footprints; the first region is
// home (Identity Center, global service events, most workloads).
var regionFootprints = [][]string{
	{"us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"},
	{"eu-west-1", "us-east-1", "eu-central-1", "ap-southeast-2"},
	{"us-east-1", "us-west-2", "eu-central-1", "eu-west-1"},
}

// Regions nobody in the organization uses, where hijacked credentials
// launch miners because nobody looks there.
var unusedRegionNames = []string{"ap-northeast-3", "sa-east-1", "ap-south-1", "ca-central-1"}

// instanceIPRegion draws a public address of the region.
func (r *region) publicIP(g *rng) uint32 { return pick(g, r.ec2).addr(g) }
