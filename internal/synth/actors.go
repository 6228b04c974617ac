package synth

import (
	"math"
	"strings"
)

// actorKind says how an actor obtains credentials and when it works.
type actorKind uint8

const (
	akPersonSSO actorKind = iota // a person federated through Identity Center
	akPersonIAM                  // a person with a legacy IAM user
	akCIUser                     // CI with an IAM user's access key, assuming deploy roles
	akOIDC                       // CI federated with web identity (GitHub Actions)
	akInstance                   // an EC2 instance using its instance profile
	akLambda                     // a Lambda function's execution role
	akConfig                     // AWS Config through its service-linked role
	akService                    // AWS services acting directly (AWSService identity)
	akVendor                     // a monitoring vendor assuming a role from its own account
	akScanner                    // the security team's posture scanner, chaining into every account
	akRoot                       // the management account's root user
	akFederated                  // an internal portal issuing GetFederationToken sessions
	akBackup                     // on-premises backups with an IAM user's access key
	akKeyUser                    // a service account's long-term key used from a fixed place
)

// person is an employee.
type person struct {
	First, Last string
	Username    string // first.last
	Email       string
	team        string
	office      *office
	home        host
	startHour   float64 // local time the working day starts
	hours       float64
	ents        []entitlement
	entCum      []float64
	iamUser     *iamUser
	browserUA   string
	cliUA       string
	sdkUA       string
	tfUA        string
	channels    []float64 // cumulative weights of console, cli, sdk, terraform
	chained     bool      // uses OrganizationAccountAccessRole from the management account
}

type entitlement struct {
	acct    *account
	permSet string
	w       float64
}

// actor is anything that makes API calls on its own schedule.
type actor struct {
	id       int
	kind     actorKind
	name     string
	acct     *account
	weight   float64 // expected ordinary events per active day
	person   *person
	user     *iamUser
	role     *iamRole
	inst     *instance
	fn       string
	reg      *region
	ips      []string
	uas      []string
	mixSpec  string
	mixes    map[mixKey]*mix
	fail     float64 // rate of benign access denied on reads
	throttle float64
	tls12    bool
	buckets  []*bucket
	svcPrin  string // the AWS service principal for akService and akConfig
	targets  []*account
}

// mix is a compiled, account-specific API mix.
type mix struct {
	ops []*opDef
	cum []float64
}

var firstNames = []string{"Amara", "Liam", "Sofia", "Noah", "Priya", "Mateo", "Chen", "Olivia", "Kwame", "Hannah", "Arjun", "Elena",
	"Tomasz", "Yuki", "Fatima", "Lucas", "Ingrid", "Diego", "Aisha", "Jonas", "Mei", "Samuel", "Chloe", "Ravi", "Nadia", "Oscar",
	"Leila", "Henrik", "Zanele", "Marco", "Anika", "Felix", "Grace", "Ibrahim", "Julia", "Kenji", "Lena", "Mohammed", "Nora",
	"Pablo", "Rosa", "Stefan", "Tara", "Viktor", "Wen", "Yasmin", "Ethan", "Freya", "Gabriel", "Isla", "Jamal", "Klara"}

var lastNames = []string{"Okafor", "Schmidt", "Rossi", "Nakamura", "Patel", "Garcia", "Kowalski", "Dubois", "Andersson", "Mensah",
	"Novak", "Fernandes", "Chen", "Murphy", "Haddad", "Ivanova", "Jensen", "Kim", "Lopez", "Moreau", "Nguyen", "O'Brien",
	"Petrov", "Quinn", "Reyes", "Singh", "Tanaka", "Ueda", "Varga", "Walker", "Xu", "Yilmaz", "Zimmermann", "Bauer", "Costa",
	"Dlamini", "Eriksen", "Fischer", "Gupta", "Hoffmann", "Iyer", "Johansson", "Khan", "Larsen", "Mwangi", "Ortiz", "Pereira"}

var browserUAs = []string{
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0",
	"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1.1 Safari/605.1.15",
	"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
}

var cliUAs = []string{
	"aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off",
	"aws-cli/2.21.3 md/awscrt#0.22.0 ua/2.0 os/macos#23.6.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off",
	"aws-cli/2.22.7 md/awscrt#0.22.0 ua/2.0 os/windows#10 md/arch#amd64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off",
	"aws-cli/2.19.1 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-49-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off",
	"aws-cli/2.17.13 md/awscrt#0.20.11 ua/2.0 os/macos#24.0.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off",
}

var sdkUAs = []string{
	"Boto3/1.35.76 md/Botocore#1.35.76 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.76",
	"Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#6.8.0-49-generic md/arch#x86_64 lang/python#3.11.10 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.54",
	"Boto3/1.34.162 md/Botocore#1.34.162 ua/2.0 os/windows#10 md/arch#amd64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.162",
}

var terraformUAs = []string{
	"APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.76.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.4 ua/2.0 os/macos lang/go#1.23.2 md/GOOS#darwin md/GOARCH#arm64",
	"APN/1.0 HashiCorp/1.0 Terraform/1.10.1 (+https://www.terraform.io) terraform-provider-aws/5.80.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 ua/2.0 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64",
}

const (
	uaSSMAgent  = "aws-sdk-go/1.55.5 (go1.22.9; linux; amd64) amazon-ssm-agent/3.3.1142.0"
	uaGoV2App   = "aws-sdk-go-v2/1.32.5 ua/2.0 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64"
	uaJavaApp   = "aws-sdk-java/2.29.20 Linux/6.1.115-126.197.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5 vendor/Amazon.com_Inc. md/internal io/sync http/Apache cfg/retry-mode/legacy"
	uaBotoEC2   = "Boto3/1.35.68 md/Botocore#1.35.68 ua/2.0 os/linux#6.1.115-126.197.amzn2023.x86_64 md/arch#x86_64 lang/python#3.11.10 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.68"
	uaKubelet   = "aws-sdk-go/1.55.5 (go1.22.8; linux; amd64) kubernetes/v1.31.2-eks-7f9249a"
	uaECRCred   = "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ecr#1.30.3 ecr-credential-provider"
	uaLambdaPy  = "Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.227-239.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145"
	uaLambdaJS  = "aws-sdk-js/3.687.0 ua/2.1 os/linux#5.10.227-239.884.amzn2.x86_64 lang/js md/nodejs#20.18.0 exec-env/AWS_Lambda_nodejs20.x m/E,N"
	uaVendor    = "aws-sdk-go/1.55.5 (go1.22.9; linux; amd64)"
	uaCIRunner  = "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-1019-aws md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/GitHubActions cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off"
	uaGHActions = "aws-sdk-nodejs/2.1692.0 linux/v20.18.1 configure-aws-credentials-for-github-actions promise"
	uaBackup    = "aws-cli/2.18.12 md/awscrt#0.22.0 ua/2.0 os/linux#5.15.0-126-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off"
	uaPortal    = "Boto3/1.33.13 md/Botocore#1.33.13 ua/2.0 os/linux#5.15.0-126-generic md/arch#x86_64 lang/python#3.10.12 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.33.13"
)

// API mixes. Weights are relative; each actor perturbs them so that no two
// principals look exactly alike, and keeps only the calls whose resources
// exist where it works.
const (
	mixConsoleEngineer = "ec2:DescribeInstances=20 ec2:DescribeInstanceStatus=6 ec2:DescribeSecurityGroups=5 ec2:DescribeVpcs=3 ec2:DescribeSubnets=3 " +
		"ec2:DescribeVolumes=3 ec2:DescribeTags=3 ec2:DescribeAddresses=1 ec2:DescribeKeyPairs=1 ec2:DescribeAvailabilityZones=2 " +
		"ec2:DescribeAccountAttributes=2 ec2:DescribeRegions=1 elasticloadbalancing:DescribeLoadBalancers=4 elasticloadbalancing:DescribeTargetGroups=3 " +
		"elasticloadbalancing:DescribeTargetHealth=3 autoscaling:DescribeAutoScalingGroups=3 cloudwatch:GetMetricData=15 cloudwatch:DescribeAlarms=4 " +
		"logs:DescribeLogGroups=5 logs:DescribeLogStreams=4 logs:FilterLogEvents=6 logs:GetLogEvents=4 logs:StartQuery=2 s3:ListBuckets=4 " +
		"s3:GetBucketLocation=3 s3:ListObjects=5 s3:GetBucketPolicy=1 s3:GetBucketAcl=1 s3:GetBucketVersioning=1 s3:GetObject=2 " +
		"lambda:ListFunctions20150331=4 lambda:GetFunction20150331v2=3 ecs:DescribeServices=3 ecs:ListTasks=2 ecs:DescribeClusters=2 " +
		"rds:DescribeDBInstances=3 iam:ListRoles=2 iam:GetRole=2 ssm:DescribeInstanceInformation=1 cloudformation:DescribeStacks=3 " +
		"cloudformation:ListStacks=2 health:DescribeEventAggregates=2 ce:GetCostAndUsage=1 kms:ListAliases=1 secretsmanager:ListSecrets=1 " +
		"dynamodb:ListTables=1 dynamodb:DescribeTable=1 route53:ListHostedZones=1 ecr:DescribeRepositories=1 sns:ListTopics=1 " +
		"ec2:StartInstances=0.1 ec2:StopInstances=0.1 ec2:CreateTags=0.2 ssm:StartSession=0.5 iam:ListUsers=0.5"
	mixCLIDeveloper = "sts:GetCallerIdentity=10 s3:ListBuckets=4 s3:ListObjects=12 s3:GetObject=10 s3:PutObject=4 s3:HeadObject=3 " +
		"logs:FilterLogEvents=6 logs:DescribeLogGroups=2 logs:GetLogEvents=3 ecr:GetAuthorizationToken=4 ecr:BatchCheckLayerAvailability=2 " +
		"ecr:PutImage=0.5 ssm:GetParameter=5 ssm:GetParametersByPath=2 secretsmanager:GetSecretValue=2 lambda:GetFunction20150331v2=2 " +
		"lambda:UpdateFunctionCode20150331v2=0.5 ecs:DescribeServices=3 ecs:UpdateService=0.3 ec2:DescribeInstances=6 ssm:StartSession=1 " +
		"cloudformation:DescribeStacks=2 kms:Decrypt=2 dynamodb:DescribeTable=1 eks:DescribeCluster=1 eks:ListClusters=0.5"
	mixTerraform = "ec2:DescribeVpcs=6 ec2:DescribeSubnets=8 ec2:DescribeSecurityGroups=12 ec2:DescribeSecurityGroupRules=6 ec2:DescribeRouteTables=5 " +
		"ec2:DescribeNatGateways=2 ec2:DescribeVpcEndpoints=2 ec2:DescribeInstances=6 ec2:DescribeInstanceAttribute=2 ec2:DescribeImages=3 " +
		"ec2:DescribeLaunchTemplates=2 ec2:DescribeLaunchTemplateVersions=3 ec2:DescribeTags=4 ec2:DescribeVolumes=2 ec2:DescribeNetworkInterfaces=3 " +
		"ec2:DescribeAccountAttributes=2 ec2:DescribeAvailabilityZones=2 ec2:DescribeInstanceTypes=1 ec2:DescribeFlowLogs=1 iam:GetRole=10 " +
		"iam:ListAttachedRolePolicies=6 iam:ListRolePolicies=5 iam:GetRolePolicy=4 iam:GetPolicy=5 iam:GetPolicyVersion=5 iam:ListRoleTags=1 " +
		"iam:GetUser=1 s3:GetBucketPolicy=3 s3:GetBucketAcl=3 s3:GetBucketVersioning=3 s3:GetBucketEncryption=3 s3:GetBucketTagging=3 " +
		"s3:GetBucketPublicAccessBlock=3 s3:GetBucketLogging=2 s3:GetBucketLifecycle=2 s3:GetBucketReplication=1 s3:GetBucketCors=2 " +
		"s3:GetBucketWebsite=2 s3:GetBucketOwnershipControls=2 s3:GetAccelerateConfiguration=1 s3:GetBucketRequestPayment=1 " +
		"s3:GetBucketObjectLockConfiguration=1 s3:GetBucketNotification=1 s3:GetBucketLocation=1 s3:GetObject=3 s3:PutObject=1 s3:ListObjects=1 " +
		"kms:DescribeKey=3 kms:GetKeyPolicy=2 kms:GetKeyRotationStatus=2 kms:ListAliases=1 elasticloadbalancing:DescribeLoadBalancers=3 " +
		"elasticloadbalancing:DescribeTargetGroups=3 elasticloadbalancing:DescribeListeners=2 autoscaling:DescribeAutoScalingGroups=3 " +
		"autoscaling:DescribeLifecycleHooks=1 rds:DescribeDBInstances=2 rds:DescribeDBClusters=1 lambda:GetFunction20150331v2=3 " +
		"lambda:GetFunctionConfiguration20150331v2=1 logs:DescribeLogGroups=3 cloudwatch:DescribeAlarms=2 sns:GetTopicAttributes=1 " +
		"sqs:GetQueueAttributes=1 dynamodb:DescribeTable=2 dynamodb:DescribeContinuousBackups=1 dynamodb:DescribeTimeToLive=1 " +
		"ecs:DescribeServices=1 ecs:DescribeClusters=1 ecs:DescribeTaskDefinition=1 route53:GetHostedZone=1 route53:ListResourceRecordSets=1 " +
		"secretsmanager:DescribeSecret=1 ssm:GetParameter=1 ecr:DescribeRepositories=1 sts:GetCallerIdentity=2 ec2:CreateTags=0.3 " +
		"ec2:AuthorizeSecurityGroupIngress=0.05 iam:TagRole=0.1 s3:PutBucketTagging=0.1 lambda:UpdateFunctionCode20150331v2=0.2 " +
		"ecs:RegisterTaskDefinition=0.2 ecs:UpdateService=0.2 autoscaling:SetDesiredCapacity=0.1 route53:ChangeResourceRecordSets=0.1 " +
		"cloudwatch:PutMetricAlarm=0.1 elasticloadbalancing:RegisterTargets=0.05"
	mixSecurityConsole = "guardduty:ListDetectors=3 guardduty:ListFindings=8 guardduty:GetFindings=8 guardduty:GetDetector=2 securityhub:GetFindings=8 " +
		"cloudtrail:LookupEvents=6 cloudtrail:DescribeTrails=2 cloudtrail:GetTrailStatus=2 iam:ListUsers=3 iam:ListRoles=3 iam:GetAccountSummary=1 " +
		"iam:ListAccessKeys=2 iam:GenerateCredentialReport=1 iam:GetCredentialReport=1 iam:GetAccountAuthorizationDetails=1 " +
		"config:DescribeComplianceByConfigRule=3 config:DescribeConfigRules=2 config:GetResourceConfigHistory=2 s3:ListBuckets=2 " +
		"s3:GetBucketPolicy=2 s3:GetBucketPublicAccessBlock=2 s3:GetBucketPolicyStatus=2 ec2:DescribeSecurityGroups=3 ec2:DescribeInstances=3 " +
		"ec2:DescribeFlowLogs=1 logs:StartQuery=2 logs:FilterLogEvents=2 kms:ListKeys=1 organizations:ListAccounts=2 organizations:DescribeOrganization=1 " +
		"s3:ListObjects=2 s3:GetObject=2"
	mixFinanceConsole = "ce:GetCostAndUsage=20 ce:GetCostForecast=5 organizations:ListAccounts=4 organizations:DescribeOrganization=2 " +
		"organizations:DescribeAccount=3 s3:ListBuckets=1 s3:ListObjects=3 s3:GetObject=3 health:DescribeEventAggregates=1"
	mixDataSDK = "s3:GetObject=30 s3:ListObjects=20 s3:PutObject=8 s3:HeadObject=6 sts:GetCallerIdentity=2 kms:Decrypt=4 kms:GenerateDataKey=2 " +
		"secretsmanager:GetSecretValue=1 dynamodb:DescribeTable=1"
	mixWeb = "ssm:UpdateInstanceInformation=10 ssm:ListInstanceAssociations=4 kms:Decrypt=25 secretsmanager:GetSecretValue=8 ssm:GetParameter=6 " +
		"ssm:GetParameters=3 s3:GetObject=20 s3:PutObject=8 s3:HeadObject=4 sts:GetCallerIdentity=2 ecr:GetAuthorizationToken=1 " +
		"logs:CreateLogStream=1 kms:GenerateDataKey=6 dynamodb:DescribeTable=1 ec2:DescribeTags=1"
	mixWorker = "ssm:UpdateInstanceInformation=10 ssm:ListInstanceAssociations=4 s3:GetObject=30 s3:PutObject=20 s3:ListObjects=8 kms:Decrypt=12 " +
		"kms:GenerateDataKey=12 secretsmanager:GetSecretValue=3 sqs:GetQueueAttributes=3 sts:GetCallerIdentity=1"
	mixEKSNode = "ec2:DescribeInstances=15 ec2:DescribeNetworkInterfaces=8 ec2:DescribeTags=4 ecr:GetAuthorizationToken=6 ecr:BatchGetImage=8 " +
		"ecr:GetDownloadUrlForLayer=12 autoscaling:DescribeAutoScalingInstances=2 ssm:UpdateInstanceInformation=6 ssm:ListInstanceAssociations=2 " +
		"sts:GetCallerIdentity=2 eks:DescribeCluster=3 kms:Decrypt=4 ec2:DescribeInstanceTypes=1 ec2:DescribeAvailabilityZones=1"
	mixBastion = "ssm:UpdateInstanceInformation=10 ssm:ListInstanceAssociations=4 sts:GetCallerIdentity=1 ec2:DescribeInstances=1"
	mixRunner  = "ecr:GetAuthorizationToken=8 ecr:BatchCheckLayerAvailability=10 ecr:PutImage=0.3 ecr:BatchGetImage=6 ecr:GetDownloadUrlForLayer=10 " +
		"s3:GetObject=15 s3:PutObject=10 s3:HeadObject=5 s3:ListObjects=4 ssm:UpdateInstanceInformation=4 sts:GetCallerIdentity=3 kms:Decrypt=3"
	mixETL = "s3:GetObject=35 s3:PutObject=20 s3:ListObjects=15 s3:HeadObject=6 kms:Decrypt=8 kms:GenerateDataKey=8 ssm:UpdateInstanceInformation=4 " +
		"ssm:GetParameter=2 secretsmanager:GetSecretValue=2 dynamodb:DescribeTable=1 lambda:Invoke=2"
	mixExperiment = "ssm:UpdateInstanceInformation=10 s3:GetObject=5 s3:ListObjects=3 sts:GetCallerIdentity=2 ec2:DescribeInstances=2"
	mixLambda     = "kms:Decrypt=20 s3:GetObject=15 s3:PutObject=12 dynamodb:DescribeTable=2 secretsmanager:GetSecretValue=6 ssm:GetParameter=6 " +
		"sqs:GetQueueAttributes=2 sts:GetCallerIdentity=1 lambda:Invoke=3 kms:GenerateDataKey=6 logs:CreateLogStream=3"
	mixConfig = "ec2:DescribeInstances=10 ec2:DescribeSecurityGroups=8 ec2:DescribeVolumes=6 ec2:DescribeVpcs=4 ec2:DescribeSubnets=4 " +
		"ec2:DescribeNetworkInterfaces=6 ec2:DescribeRouteTables=3 ec2:DescribeNatGateways=1 ec2:DescribeVpcEndpoints=1 s3:GetBucketAcl=4 " +
		"s3:GetBucketPolicy=3 s3:GetBucketVersioning=3 s3:GetBucketEncryption=3 s3:GetBucketLogging=2 s3:GetBucketTagging=2 " +
		"s3:GetBucketPublicAccessBlock=3 s3:GetBucketLocation=3 s3:ListBuckets=2 iam:GetRole=4 iam:ListAttachedRolePolicies=3 " +
		"iam:ListRolePolicies=3 iam:GetPolicy=2 iam:ListUsers=1 iam:ListRoles=1 config:PutEvaluations=8 rds:DescribeDBInstances=2 " +
		"elasticloadbalancing:DescribeLoadBalancers=2 autoscaling:DescribeAutoScalingGroups=2 lambda:ListFunctions20150331=2 kms:DescribeKey=2 " +
		"kms:ListKeys=1 cloudtrail:DescribeTrails=1 sns:ListTopics=1 dynamodb:ListTables=1"
	mixVendor = "cloudwatch:GetMetricData=40 cloudwatch:ListMetrics=8 tag:GetResources=10 ec2:DescribeInstances=8 ec2:DescribeInstanceStatus=4 " +
		"ec2:DescribeVolumes=2 elasticloadbalancing:DescribeLoadBalancers=3 elasticloadbalancing:DescribeTargetGroups=2 rds:DescribeDBInstances=3 " +
		"rds:DescribeEvents=1 lambda:ListFunctions20150331=3 autoscaling:DescribeAutoScalingGroups=2 health:DescribeEvents=2 ecs:ListServices=1 " +
		"ecs:DescribeServices=1 sqs:ListQueues=1 sns:ListTopics=1 dynamodb:ListTables=1 s3:ListBuckets=1 cloudwatch:DescribeAlarms=2 " +
		"logs:DescribeLogGroups=2 organizations:DescribeOrganization=0.5 ec2:DescribeRegions=0.5 kms:ListKeys=0.3"
	mixScanner = "iam:ListUsers=3 iam:ListRoles=3 iam:ListPolicies=2 iam:GetAccountAuthorizationDetails=1 iam:GetAccountSummary=1 " +
		"iam:GetAccountPasswordPolicy=1 iam:ListAccessKeys=4 iam:ListMFADevices=3 iam:ListAttachedUserPolicies=3 iam:ListUserPolicies=2 " +
		"iam:ListGroupsForUser=2 iam:ListAttachedRolePolicies=4 iam:GetRole=3 iam:GetLoginProfile=2 iam:GenerateCredentialReport=1 " +
		"iam:GetCredentialReport=1 iam:ListSAMLProviders=0.5 iam:ListOpenIDConnectProviders=0.5 iam:ListServerCertificates=0.5 " +
		"iam:ListVirtualMFADevices=0.5 s3:ListBuckets=2 s3:GetBucketPolicy=4 s3:GetBucketAcl=4 s3:GetBucketEncryption=3 s3:GetBucketLogging=3 " +
		"s3:GetBucketVersioning=3 s3:GetBucketPublicAccessBlock=4 s3:GetBucketPolicyStatus=3 s3:GetBucketOwnershipControls=2 " +
		"ec2:DescribeSecurityGroups=6 ec2:DescribeInstances=4 ec2:DescribeVolumes=3 ec2:DescribeSnapshots=3 ec2:DescribeImages=1 " +
		"ec2:DescribeFlowLogs=2 ec2:DescribeVpcs=2 ec2:DescribeNetworkInterfaces=2 ec2:DescribeRegions=1 ec2:GetEbsEncryptionByDefault=1 " +
		"cloudtrail:DescribeTrails=2 cloudtrail:GetTrailStatus=2 cloudtrail:GetEventSelectors=2 kms:ListKeys=2 kms:GetKeyRotationStatus=2 " +
		"kms:GetKeyPolicy=2 config:DescribeConfigurationRecorderStatus=1 guardduty:ListDetectors=1 guardduty:GetDetector=1 " +
		"rds:DescribeDBInstances=2 rds:DescribeDBSnapshots=1 lambda:ListFunctions20150331=2 secretsmanager:ListSecrets=1 logs:DescribeLogGroups=1 " +
		"cloudwatch:DescribeAlarms=1 sns:ListTopics=1 organizations:DescribeOrganization=0.5"
	mixOIDC = "ecr:GetAuthorizationToken=4 ecr:BatchCheckLayerAvailability=8 ecr:PutImage=1 ecs:DescribeServices=4 ecs:DescribeTaskDefinition=2 " +
		"ecs:RegisterTaskDefinition=2 ecs:UpdateService=2 lambda:UpdateFunctionCode20150331v2=1 lambda:GetFunction20150331v2=2 s3:PutObject=4 " +
		"s3:GetObject=2 cloudformation:DescribeStacks=2 sts:GetCallerIdentity=1"
	mixFederated = "s3:GetObject=30 s3:ListObjects=10 s3:HeadObject=5 kms:Decrypt=5"
	mixBackup    = "s3:PutObject=40 s3:ListObjects=5 s3:HeadObject=10 s3:GetBucketLocation=1 kms:GenerateDataKey=5"
	mixRoot      = "ce:GetCostAndUsage=5 organizations:DescribeOrganization=2 organizations:ListAccounts=2 iam:GetAccountSummary=3 " +
		"iam:ListMFADevices=1 iam:ListUsers=2 s3:ListBuckets=1 ec2:DescribeRegions=1 health:DescribeEventAggregates=2"
	mixCloudTrailSvc = "s3:GetBucketAcl=8 kms:GenerateDataKey=10"
	mixConfigSvc     = "s3:GetBucketAcl=3 s3:PutObject=6"
	mixGuardDutySLR  = "ec2:DescribeInstances=6 ec2:DescribeNetworkInterfaces=3 ec2:DescribeSecurityGroups=2 s3:ListBuckets=1 " +
		"s3:GetBucketPolicyStatus=2 s3:GetBucketPublicAccessBlock=2 ec2:DescribeVpcEndpoints=1 organizations:DescribeOrganization=0.5"
	mixAutoScalingSLR = "ec2:DescribeInstances=4 ec2:DescribeInstanceStatus=6 elasticloadbalancing:DescribeTargetHealth=4 ec2:DescribeLaunchTemplateVersions=1"
	mixExportKey      = "s3:GetObject=20 s3:ListObjects=8 s3:PutObject=6 s3:HeadObject=4 sts:GetCallerIdentity=1"
	mixSMTPKey        = "sts:GetCallerIdentity=1 s3:GetObject=2"
	mixLoadTestKey    = "s3:GetObject=10 s3:PutObject=4 cloudwatch:GetMetricData=6 ec2:DescribeInstances=2 sts:GetCallerIdentity=1"
	mixDevDeployKey   = "s3:PutObject=6 s3:GetObject=4 lambda:UpdateFunctionCode20150331v2=2 lambda:GetFunction20150331v2=3 ecr:GetAuthorizationToken=3 " +
		"ecr:BatchCheckLayerAvailability=4 ecr:PutImage=1 ecs:DescribeServices=2 ecs:UpdateService=1 sts:GetCallerIdentity=2 cloudformation:DescribeStacks=2"
	mixMonitoringKey = "cloudwatch:GetMetricData=20 cloudwatch:ListMetrics=4 ec2:DescribeInstances=4 ec2:DescribeInstanceStatus=2 " +
		"elasticloadbalancing:DescribeTargetHealth=2 rds:DescribeDBInstances=1"
	mixETLKey = "s3:GetObject=25 s3:PutObject=15 s3:ListObjects=10 s3:HeadObject=4 kms:Decrypt=4"
)

// Shares of the day's ordinary CloudTrail events by class of actor. Machine
// identities dominate, as they do in real organizations.
var classShare = map[actorKind]float64{
	akInstance: 0.30, akVendor: 0.15, akConfig: 0.10, akLambda: 0.10, akCIUser: 0.09, akOIDC: 0.02,
	akScanner: 0.05, akPersonSSO: 0.10, akPersonIAM: 0.015, akService: 0.03, akFederated: 0.01,
	akBackup: 0.01, akKeyUser: 0.025,
}

// tierLoad scales instances by what they do: cluster nodes and batch
// workers call AWS far more than a bastion.
var tierLoad = map[string]float64{"eks-node": 3, "ci-runner": 3, "etl-worker": 3, "worker": 1.5, "web": 1, "api": 1,
	"airflow": 0.7, "experiment": 0.3, "bastion": 0.05}

func (w *world) buildPeople(g *idGen) {
	r := &g.r
	n := 12 + 3*len(w.accounts)
	n = min(n, 60)
	// A few offices; most people sit in the first two.
	offs := make([]*office, len(offices))
	copy(offs, offices)
	for i := len(offs) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		offs[i], offs[j] = offs[j], offs[i]
	}
	nOff := 3 + r.intn(2)
	offs = offs[:nOff]
	offW := cumulative([]float64{5, 3, 2, 1.5, 1}[:nOff])
	used := map[string]bool{}
	teams := cumulative([]float64{0.5, 0.18, 0.12, 0.1, 0.1}) // engineering, platform, data, security, finance
	teamNames := []string{"engineering", "platform", "data", "security", "finance"}
	for i := 0; i < n; i++ {
		p := &person{}
		for {
			p.First, p.Last = pick(r, firstNames), pick(r, lastNames)
			p.Username = strings.ToLower(p.First + "." + strings.ReplaceAll(p.Last, "'", ""))
			if !used[p.Username] {
				used[p.Username] = true
				break
			}
		}
		p.Email = p.Username + "@" + w.domain
		p.team = teamNames[weighted(r, teams)]
		if i == 0 {
			p.team = "platform"
		}
		if i == 1 {
			p.team = "security"
		}
		p.office = offs[weighted(r, offW)]
		p.home = pick(r, p.office.Home)
		p.startHour = 8 + r.float()*2.2
		p.hours = 7.5 + r.float()*2
		p.browserUA = pick(r, browserUAs)
		p.cliUA = pick(r, cliUAs)
		p.sdkUA = pick(r, sdkUAs)
		p.tfUA = pick(r, terraformUAs)
		w.entitle(p, r)
		w.people = append(w.people, p)
	}
	// Legacy IAM users for a few early employees in the management account.
	for i, p := range w.people {
		if i >= 3 || (p.team != "platform" && p.team != "security" && i != 2) {
			continue
		}
		u := w.addUser(w.mgmt, g, p.Username, 1, true, true)
		p.iamUser = u
	}
}

// entitle assigns Identity Center access by team.
func (w *world) entitle(p *person, r *rng) {
	add := func(a *account, ps string, wt float64) {
		if a == nil || a.ssoRoles[ps] == nil {
			return
		}
		p.ents = append(p.ents, entitlement{acct: a, permSet: ps, w: wt})
	}
	prod, dev, staging := w.account("prod"), w.account("dev"), w.account("staging")
	switch p.team {
	case "engineering":
		add(dev, "DeveloperAccess", 6)
		add(dev, "PowerUserAccess", 2)
		add(staging, "DeveloperAccess", 3)
		add(prod, "ReadOnlyAccess", 2)
		if r.chance(0.3) {
			add(w.account("sandbox"), "PowerUserAccess", 2)
		}
		for _, a := range w.accounts[min(8, len(w.accounts)):] {
			if r.chance(0.4) {
				add(a, "DeveloperAccess", 2)
			}
		}
		p.channels = cumulative([]float64{0.55, 0.35, 0.1, 0})
	case "platform":
		for _, a := range w.accounts {
			wt := 1.0
			if a.kind == "prod" || a.kind == "shared-services" {
				wt = 3
			}
			add(a, "AdministratorAccess", wt)
		}
		p.channels = cumulative([]float64{0.4, 0.3, 0.05, 0.25})
		p.chained = r.chance(0.5)
	case "data":
		add(w.account("data"), "DataEngineer", 6)
		add(prod, "ReadOnlyAccess", 1)
		add(w.account("analytics"), "DeveloperAccess", 2)
		p.channels = cumulative([]float64{0.4, 0.15, 0.45, 0})
	case "security":
		for _, a := range w.accounts {
			add(a, "SecurityAudit", 1)
		}
		add(w.security, "AdministratorAccess", 4)
		p.channels = cumulative([]float64{0.6, 0.3, 0.1, 0})
	case "finance":
		add(w.mgmt, "Billing", 5)
		add(w.mgmt, "ReadOnlyAccess", 1)
		p.channels = cumulative([]float64{0.95, 0.05, 0, 0})
	}
	if len(p.ents) == 0 {
		add(w.mgmt, "ReadOnlyAccess", 1)
	}
	ws := make([]float64, len(p.ents))
	for i, e := range p.ents {
		ws[i] = e.w * r.lognormal(0, 0.5)
	}
	p.entCum = cumulative(ws)
}

func (w *world) newActor(kind actorKind, name string, a *account) *actor {
	ac := &actor{id: len(w.actors), kind: kind, name: name, acct: a, mixes: map[mixKey]*mix{}}
	w.actors = append(w.actors, ac)
	return ac
}

func (w *world) buildActors(g *idGen) {
	r := &g.r
	for _, p := range w.people {
		ac := w.newActor(akPersonSSO, p.Username, w.mgmt)
		ac.person = p
		ac.ips = []string{p.office.Egress[r.intn(len(p.office.Egress))].IP, p.home.IP}
		ac.uas = []string{p.browserUA, p.cliUA, p.sdkUA, p.tfUA}
		ac.fail = 0.01 + r.float()*0.02
		ac.throttle = 0.0005
		if p.iamUser != nil {
			ia := w.newActor(akPersonIAM, p.Username, w.mgmt)
			ia.person = p
			ia.user = p.iamUser
			ia.ips = ac.ips
			ia.uas = []string{p.browserUA, p.cliUA}
			ia.fail = 0.01
			ia.throttle = 0.0005
			ia.mixSpec = mixConsoleEngineer
		}
	}
	if shared := w.ciAccount(); shared != nil {
		ac := w.newActor(akCIUser, "svc-ci-deploy", shared)
		ac.user = shared.user("svc-ci-deploy")
		ac.ips = []string{ciRunnerHosts[0].IP, ciRunnerHosts[1].IP}
		ac.uas = []string{terraformUAs[1]}
		ac.mixSpec = mixTerraform
		ac.fail, ac.throttle = 0.002, 0.002
		for _, a := range w.accounts {
			if a.roleByNm["TerraformDeployRole"] != nil {
				ac.targets = append(ac.targets, a)
			}
		}
	}
	for _, a := range w.accounts {
		if rl := a.roleByNm["github-actions-deploy"]; rl != nil {
			ac := w.newActor(akOIDC, "github-actions-"+a.Name, a)
			ac.role = rl
			ac.ips = []string{hostedRunnerHosts[0].IP, hostedRunnerHosts[1].IP, hostedRunnerHosts[2].IP, hostedRunnerHosts[3].IP}
			ac.uas = []string{uaGHActions, uaCIRunner}
			ac.mixSpec = mixOIDC
			ac.fail, ac.throttle = 0.003, 0.001
		}
	}
	for _, a := range w.accounts {
		for _, in := range a.allInstances() {
			ac := w.newActor(akInstance, in.ID, a)
			ac.inst = in
			ac.role = in.role
			ac.reg = in.reg
			ac.ips = []string{in.egressIP}
			switch in.tier {
			case "web", "api":
				ac.mixSpec, ac.uas = mixWeb, []string{uaJavaApp, uaSSMAgent}
			case "worker":
				ac.mixSpec, ac.uas = mixWorker, []string{uaBotoEC2, uaSSMAgent}
			case "eks-node":
				ac.mixSpec, ac.uas = mixEKSNode, []string{uaKubelet, uaECRCred, uaSSMAgent}
			case "bastion":
				ac.mixSpec, ac.uas = mixBastion, []string{uaSSMAgent}
			case "ci-runner":
				ac.mixSpec, ac.uas = mixRunner, []string{uaCIRunner, uaSSMAgent}
			case "etl-worker", "airflow":
				ac.mixSpec, ac.uas = mixETL, []string{uaBotoEC2, uaSSMAgent}
			default:
				ac.mixSpec, ac.uas = mixExperiment, []string{uaBotoEC2, uaSSMAgent}
			}
			ac.fail, ac.throttle = 0.001, 0.0005
		}
	}
	for _, a := range w.accounts {
		for _, reg := range a.regions {
			rr := a.rr[reg.Name]
			for i, fn := range rr.functions {
				ac := w.newActor(akLambda, fn, a)
				ac.fn, ac.reg = fn, reg
				ac.role = a.roleByNm[fn+"-role"]
				ip := rr.natIP
				if ip == "" {
					ip = a.rr[a.home.Name].natIP
				}
				ac.ips = []string{ip}
				ac.uas = []string{uaLambdaPy}
				if i%2 == 1 {
					ac.uas = []string{uaLambdaJS}
				}
				ac.mixSpec = mixLambda
				ac.fail, ac.throttle = 0.001, 0.001
				if a == w.security && fn == "security-posture-scanner" {
					sc := w.newActor(akScanner, fn, a)
					sc.fn, sc.reg, sc.role = fn, reg, ac.role
					sc.ips, sc.uas = ac.ips, []string{uaLambdaPy}
					sc.mixSpec = mixScanner
					sc.fail, sc.throttle = 0.02, 0.004
					sc.targets = w.accounts
					ac.mixSpec = "sts:GetCallerIdentity=1 s3:PutObject=2 securityhub:BatchImportFindings=3"
				}
			}
		}
	}
	for _, a := range w.accounts {
		ac := w.newActor(akConfig, "config-"+a.Name, a)
		ac.role = a.roleByNm["AWSServiceRoleForConfig"]
		ac.svcPrin = "config.amazonaws.com"
		ac.mixSpec = mixConfig
		ac.fail, ac.throttle = 0.002, 0.004

		vd := w.newActor(akVendor, "datadog-"+a.Name, a)
		vd.role = a.roleByNm["DatadogIntegrationRole"]
		vd.ips = []string{vendorHosts[a.idx%len(vendorHosts)].IP, vendorHosts[(a.idx+1)%len(vendorHosts)].IP}
		vd.uas = []string{uaVendor}
		vd.mixSpec = mixVendor
		vd.fail, vd.throttle = 0.004, 0.008

		gd := w.newActor(akService, "guardduty-"+a.Name, a)
		gd.role = a.roleByNm["AWSServiceRoleForAmazonGuardDuty"]
		gd.svcPrin = "guardduty.amazonaws.com"
		gd.mixSpec = mixGuardDutySLR
		if rl := a.roleByNm["AWSServiceRoleForAutoScaling"]; rl != nil {
			as := w.newActor(akService, "autoscaling-"+a.Name, a)
			as.role = rl
			as.svcPrin = "autoscaling.amazonaws.com"
			as.mixSpec = mixAutoScalingSLR
		}
	}
	sec := w.security
	ct := w.newActor(akService, "cloudtrail", sec)
	ct.svcPrin = "cloudtrail.amazonaws.com"
	ct.mixSpec = mixCloudTrailSvc
	ct.buckets = []*bucket{sec.buckets[0]}
	cf := w.newActor(akService, "config-delivery", sec)
	cf.svcPrin = "config.amazonaws.com"
	cf.mixSpec = mixConfigSvc
	cf.buckets = []*bucket{sec.buckets[3]}

	if root := w.newActor(akRoot, "root", w.mgmt); root != nil {
		p := w.people[len(w.people)-1]
		root.ips = []string{p.office.Egress[0].IP}
		root.uas = []string{p.browserUA}
		root.mixSpec = mixRoot
		root.fail = 0.01
	}
	// Service accounts with long-term keys.
	keyUsers := []struct {
		acct, user, spec string
		kind             actorKind
		hosts            []host
		ua               string
		bucketPurpose    string
	}{
		{"prod", "backup-sync", mixBackup, akBackup, datacenterHosts, uaBackup, "backups"},
		{"data", "reporting-portal", "", akFederated, datacenterHosts[1:], uaPortal, "reports"},
		{"prod", "svc-analytics-export", mixExportKey, akKeyUser, datacenterHosts[:1], uaPortal, "exports"},
		{"prod", "legacy-smtp-relay", mixSMTPKey, akKeyUser, datacenterHosts[1:], uaBotoEC2, "assets"},
		{"staging", "svc-loadtest", mixLoadTestKey, akKeyUser, ciRunnerHosts[:1], uaBotoEC2, "assets"},
		{"dev", "svc-deploy-dev", mixDevDeployKey, akKeyUser, ciRunnerHosts, cliUAs[3], "assets"},
		{"dev", "svc-monitoring", mixMonitoringKey, akKeyUser, datacenterHosts[:1], uaVendor, ""},
		{"data", "svc-etl-legacy", mixETLKey, akKeyUser, datacenterHosts, uaBotoEC2, "lake"},
		{"management", "terraform-bootstrap", mixTerraform, akKeyUser, ciRunnerHosts[:1], terraformUAs[1], ""},
	}
	for _, ku := range keyUsers {
		a := w.account(ku.acct)
		if ku.user == "reporting-portal" && a == nil {
			a = w.account("prod")
			ku.bucketPurpose = "exports"
		}
		if a == nil {
			continue
		}
		u := a.user(ku.user)
		ac := w.newActor(ku.kind, ku.user, a)
		ac.user = u
		for _, h := range ku.hosts {
			ac.ips = append(ac.ips, h.IP)
		}
		ac.uas = []string{ku.ua}
		ac.mixSpec = ku.spec
		if ku.kind == akFederated {
			ac.mixSpec = mixFederated
		}
		ac.fail, ac.throttle = 0.003, 0.001
		for _, b := range a.buckets {
			if ku.bucketPurpose != "" && b.purpose == ku.bucketPurpose {
				ac.buckets = append(ac.buckets, b)
			}
		}
	}

	// Weights: each class gets its share of the day's events, split among
	// its actors with a heavy-tailed (lognormal) draw.
	byClass := map[actorKind][]*actor{}
	for _, ac := range w.actors {
		byClass[ac.kind] = append(byClass[ac.kind], ac)
	}
	for kind := akPersonSSO; kind <= akKeyUser; kind++ {
		list := byClass[kind]
		share := classShare[kind]
		if kind == akRoot {
			for _, ac := range list {
				ac.weight = 25
			}
			continue
		}
		// Machines differ by orders of magnitude; people less so.
		sigma := 2.2
		if kind == akPersonSSO || kind == akPersonIAM {
			sigma = 0.9
		}
		ws := make([]float64, len(list))
		total := 0.0
		for i, ac := range list {
			ws[i] = r.lognormal(0, sigma)
			if ac.inst != nil {
				ws[i] *= tierLoad[ac.inst.tier]
			}
			total += ws[i]
		}
		for i, ac := range list {
			ac.weight = w.ctPerDay * share * ws[i] / total
		}
	}
	// People work on weekdays only, so scale their share up to keep the
	// weekly average where the configuration put it.
	for _, ac := range w.actors {
		switch ac.kind {
		case akPersonSSO, akPersonIAM, akCIUser, akOIDC:
			ac.weight *= 7.0 / 5.2
		}
	}
	for _, ac := range w.actors {
		ac.tls12 = r.chance(0.15)
	}
}

// ciAccount is where CI lives: the shared-services account, or the
// management account in small organizations.
func (w *world) ciAccount() *account {
	if a := w.account("shared-services"); a != nil {
		return a
	}
	a := w.mgmt
	if a.user("svc-ci-deploy") == nil {
		g := &idGen{r: newRNG(w.seed, hashString("ci-user"))}
		w.addUser(a, g, "svc-ci-deploy", 1, false, false)
	}
	return a
}

type mixKey struct {
	a    *account
	spec string
}

// mix returns the actor's compiled mix for calls in account a. Mixes are
// compiled before generation starts; a miss compiles without caching, so
// workers never write shared state.
func (ac *actor) mix(a *account, spec string) *mix {
	if m, ok := ac.mixes[mixKey{a, spec}]; ok {
		return m
	}
	return ac.compileMix(a, spec)
}

// compileMix keeps the calls whose resources exist in account a and
// perturbs their weights per actor, so that every principal has its own
// heavy-tailed profile.
func (ac *actor) compileMix(a *account, spec string) *mix {
	var has needs
	for _, rr := range a.rr {
		has |= rr.has
	}
	r := newRNG(uint64(ac.id), hashString(a.ID), hashString(spec))
	m := &mix{}
	var ws []float64
	for _, e := range parseMix(spec) {
		if e.op.needs&^has != 0 {
			continue
		}
		m.ops = append(m.ops, e.op)
		ws = append(ws, e.w*r.lognormal(0, 0.8))
	}
	if len(m.ops) == 0 {
		m.ops = []*opDef{lookupOp("sts:GetCallerIdentity")}
		ws = []float64{1}
	}
	m.cum = cumulative(ws)
	return m
}

// precompileMixes builds every mix an actor uses before generation starts.
func (w *world) precompileMixes() {
	for _, ac := range w.actors {
		add := func(a *account, spec string) {
			if a != nil && spec != "" {
				ac.mixes[mixKey{a, spec}] = ac.compileMix(a, spec)
			}
		}
		switch ac.kind {
		case akPersonSSO:
			specs := personSpecs(ac.person)
			accts := []*account{w.mgmt}
			for _, e := range ac.person.ents {
				accts = append(accts, e.acct)
			}
			if ac.person.chained {
				accts = w.accounts
			}
			for _, a := range accts {
				for _, spec := range specs {
					add(a, spec)
				}
			}
		case akPersonIAM:
			add(w.mgmt, mixConsoleEngineer)
			add(w.mgmt, mixCLIDeveloper)
		case akCIUser, akScanner:
			for _, a := range ac.targets {
				add(a, ac.mixSpec)
			}
		default:
			add(ac.acct, ac.mixSpec)
		}
	}
}

// personSpecs lists the mixes a person uses through console, CLI, scripts
// and Terraform.
func personSpecs(p *person) [4]string {
	switch p.team {
	case "platform":
		return [4]string{mixConsoleEngineer, mixCLIDeveloper, mixDataSDK, mixTerraform}
	case "data":
		return [4]string{mixConsoleEngineer, mixCLIDeveloper, mixDataSDK, mixTerraform}
	case "security":
		return [4]string{mixSecurityConsole, mixSecurityConsole, mixDataSDK, mixTerraform}
	case "finance":
		return [4]string{mixFinanceConsole, mixFinanceConsole, mixDataSDK, mixTerraform}
	}
	return [4]string{mixConsoleEngineer, mixCLIDeveloper, mixDataSDK, mixTerraform}
}

// diurnal is the relative load of machine traffic at a UTC hour: busier
// during the business day of the organization's main offices.
func diurnal(hour float64) float64 {
	return 1 + 0.35*math.Sin(2*math.Pi*(hour-9)/24)
}
