import Foundation
import RefractCore
import RefractStorage

/// The XML documents the gateway answers with, shaped as S3's.
enum S3XML {
    static func error(_ error: RefractError, resource: String, requestID: String) -> String {
        var writer = XMLWriter()
        writer.element("Error") { xml in
            xml.element("Code", error.s3Code)
            xml.element("Message", error.message)
            xml.element("Resource", resource)
            xml.element("RequestId", requestID)
        }
        return writer.text
    }

    /// ListObjectsV2 (`version2`) or ListObjects; `encodeKeys` is `encoding-type=url`.
    static func listBucket(
        bucket: String,
        listing: ObjectListing,
        page: ListPage,
        encodeKeys: Bool
    ) -> String {
        let encode: (String) -> String = { encodeKeys ? S3URLEncoding.encode($0) : $0 }
        var writer = XMLWriter()
        writer.element("ListBucketResult", namespace: true) { xml in
            xml.element("Name", bucket)
            xml.element("Prefix", encode(listing.query.prefix))
            if let delimiter = listing.query.delimiter { xml.element("Delimiter", encode(delimiter)) }
            xml.element("MaxKeys", listing.query.maxKeys)
            if encodeKeys { xml.element("EncodingType", "url") }
            xml.element("IsTruncated", page.isTruncated)
            switch listing.version {
            case .version2(let continuationToken, let startAfter):
                xml.element("KeyCount", page.objects.count + page.commonPrefixes.count)
                if let continuationToken { xml.element("ContinuationToken", continuationToken) }
                if let startAfter { xml.element("StartAfter", encode(startAfter)) }
                if page.isTruncated, let next = page.nextStartAfter {
                    xml.element("NextContinuationToken", ObjectListing.continuationToken(after: next))
                }
            case .version1(let marker):
                xml.element("Marker", encode(marker ?? ""))
                if page.isTruncated, listing.query.delimiter != nil, let next = page.nextStartAfter {
                    xml.element("NextMarker", encode(next))
                }
            }
            for object in page.objects {
                xml.element("Contents") { xml in
                    xml.element("Key", encode(object.key))
                    xml.element("LastModified", HTTPDate.iso8601(object.lastModified))
                    xml.element("ETag", object.etag)
                    xml.element("Size", object.size)
                    xml.element("StorageClass", "STANDARD")
                }
            }
            for prefix in page.commonPrefixes {
                xml.element("CommonPrefixes") { xml in xml.element("Prefix", encode(prefix)) }
            }
        }
        return writer.text
    }

    static func listBuckets(_ names: [String], creationDate: Date) -> String {
        var writer = XMLWriter()
        writer.element("ListAllMyBucketsResult", namespace: true) { xml in
            xml.element("Owner") { xml in
                xml.element("ID", "refract")
                xml.element("DisplayName", "refract")
            }
            xml.element("Buckets") { xml in
                for name in names {
                    xml.element("Bucket") { xml in
                        xml.element("Name", name)
                        xml.element("CreationDate", HTTPDate.iso8601(creationDate))
                    }
                }
            }
        }
        return writer.text
    }

    static func location() -> String {
        var writer = XMLWriter()
        writer.element("LocationConstraint", namespace: true) { _ in }
        return writer.text
    }

    static func initiateMultipartUpload(bucket: String, key: String, uploadID: String) -> String {
        var writer = XMLWriter()
        writer.element("InitiateMultipartUploadResult", namespace: true) { xml in
            xml.element("Bucket", bucket)
            xml.element("Key", key)
            xml.element("UploadId", uploadID)
        }
        return writer.text
    }

    static func completeMultipartUpload(location: String, bucket: String, key: String, etag: String) -> String {
        var writer = XMLWriter()
        writer.element("CompleteMultipartUploadResult", namespace: true) { xml in
            xml.element("Location", location)
            xml.element("Bucket", bucket)
            xml.element("Key", key)
            xml.element("ETag", etag)
        }
        return writer.text
    }

    static func listParts(bucket: String, key: String, uploadID: String, parts: [PartInfo]) -> String {
        var writer = XMLWriter()
        writer.element("ListPartsResult", namespace: true) { xml in
            xml.element("Bucket", bucket)
            xml.element("Key", key)
            xml.element("UploadId", uploadID)
            xml.element("PartNumberMarker", 0)
            xml.element("NextPartNumberMarker", parts.last?.partNumber ?? 0)
            xml.element("MaxParts", 10000)
            xml.element("IsTruncated", false)
            xml.element("StorageClass", "STANDARD")
            for part in parts {
                xml.element("Part") { xml in
                    xml.element("PartNumber", part.partNumber)
                    xml.element("LastModified", HTTPDate.iso8601(part.lastModified))
                    xml.element("ETag", part.etag)
                    xml.element("Size", part.size)
                }
            }
        }
        return writer.text
    }

    /// The answer to DeleteObjects: the deleted keys (unless `quiet`) and the failures.
    static func deleteResult(deleted: [String], failed: [(key: String, error: RefractError)], quiet: Bool) -> String {
        var writer = XMLWriter()
        writer.element("DeleteResult", namespace: true) { xml in
            if !quiet {
                for key in deleted {
                    xml.element("Deleted") { xml in xml.element("Key", key) }
                }
            }
            for failure in failed {
                xml.element("Error") { xml in
                    xml.element("Key", failure.key)
                    xml.element("Code", failure.error.s3Code)
                    xml.element("Message", failure.error.message)
                }
            }
        }
        return writer.text
    }
}

/// The percent-encoding S3 applies to keys with `encoding-type=url`: every byte but the unreserved ones and "/".
enum S3URLEncoding {
    static func encode(_ value: String) -> String {
        var encoded = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += String(format: "%%%02X", byte)
            }
        }
        return encoded
    }
}
