// AWS Signature V4 against AWS's published examples (Amazon S3 API Reference, "Signature
// Calculations for the Authorization Header: Transferring Payload in a Single Chunk"):
// the bucket examplebucket, 24 May 2013, the documentation's example keys.
#include "security/aws_sigv4.h"

#include <gtest/gtest.h>

namespace brook::security {
namespace {

const aws_credentials example_keys{"AKIAIOSFODNN7EXAMPLE",
                                   "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
constexpr std::string_view example_date = "20130524T000000Z";
const std::string empty_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string authorization(const aws_request& r) {
  for (const auto& [k, v] : aws_sigv4_sign(r, example_keys, "us-east-1", "s3", example_date)) {
    if (k == "Authorization") {
      return v;
    }
  }
  return {};
}

std::string credential_scope() {
  return "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ";
}

TEST(AwsSigV4, GetObjectWithRange) {
  aws_request r{"GET", "examplebucket.s3.amazonaws.com", "/test.txt",
                {},    {{"Range", "bytes=0-9"}},         empty_hash};
  EXPECT_EQ(authorization(r),
            credential_scope() +
                "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(aws_canonical_request(r, {{"host", "examplebucket.s3.amazonaws.com"},
                                      {"range", "bytes=0-9"},
                                      {"x-amz-content-sha256", empty_hash},
                                      {"x-amz-date", std::string(example_date)}}),
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:" +
                empty_hash +
                "\nx-amz-date:20130524T000000Z\n\n"
                "host;range;x-amz-content-sha256;x-amz-date\n" +
                empty_hash);
}

TEST(AwsSigV4, PutObjectWithAnEscapedKeyAndMoreHeaders) {
  aws_request r{
      "PUT",
      "examplebucket.s3.amazonaws.com",
      "/test%24file.text",
      {},
      {{"Date", "Fri, 24 May 2013 00:00:00 GMT"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
      aws_payload_hash("Welcome to Amazon S3.")};
  EXPECT_EQ(r.payload_sha256, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(authorization(r),
            credential_scope() +
                "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
                "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(AwsSigV4, GetBucketLifecycleWithAnEmptyQueryValue) {
  aws_request r{"GET", "examplebucket.s3.amazonaws.com", "/", {{"lifecycle", ""}}, {}, empty_hash};
  EXPECT_EQ(authorization(r),
            credential_scope() +
                "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
                "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(AwsSigV4, ListObjectsWithTheQuerySorted) {
  aws_request r{"GET", "examplebucket.s3.amazonaws.com",
                "/",   {{"prefix", "J"}, {"max-keys", "2"}},
                {},    empty_hash};
  EXPECT_EQ(authorization(r),
            credential_scope() +
                "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
                "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(AwsSigV4, TheAddedHeadersAndASessionToken) {
  aws_credentials temporary = example_keys;
  temporary.session_token = "token/with+chars";
  aws_request r{"GET", "h", "/", {}, {}, "UNSIGNED-PAYLOAD"};
  auto headers = aws_sigv4_sign(r, temporary, "eu-west-1", "s3", example_date);
  ASSERT_EQ(headers.size(), 4U);
  EXPECT_EQ(headers[0], (http_header{"x-amz-date", "20130524T000000Z"}));
  EXPECT_EQ(headers[1], (http_header{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}));
  EXPECT_EQ(headers[2], (http_header{"x-amz-security-token", "token/with+chars"}));
  EXPECT_NE(headers[3].second.find("x-amz-security-token"), std::string::npos);
  EXPECT_NE(headers[3].second.find("/eu-west-1/s3/"), std::string::npos);
}

TEST(AwsSigV4, AmzDate) {
  EXPECT_EQ(aws_amz_date(1369353600000), "20130524T000000Z");
  EXPECT_EQ(aws_amz_date(1700000000123), "20231114T221320Z");
}

}  // namespace
}  // namespace brook::security
