# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The signature primitives against Alibaba Cloud's published vectors."""

import pytest

from emulator import signing

V3_QUERY = [('ImageId', 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd'), ('RegionId', 'cn-shanghai')]
V3_HEADERS = {
    'host': ['ecs.cn-shanghai.aliyuncs.com'],
    'x-acs-action': ['RunInstances'],
    'x-acs-version': ['2014-05-26'],
    'x-acs-date': ['2023-10-26T10:22:32Z'],
    'x-acs-signature-nonce': ['3156853299f313e23d1673dc12e1703d'],
    'x-acs-content-sha256': [signing.EMPTY_SHA256],
}


def _v3_canonical():
    return signing.v3_canonical_request('POST', '/', V3_QUERY, V3_HEADERS, sorted(V3_HEADERS), signing.EMPTY_SHA256)


def test_v3_published_vector_hashed_canonical_request():
    assert signing.sha256_hex(_v3_canonical().encode('utf-8')) == '7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259'


def test_v3_published_vector_signature():
    string_to_sign = signing.v3_string_to_sign(_v3_canonical())
    assert signing.v3_signature('YourAccessKeySecret', string_to_sign) == '06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0'


def test_sign_v3_reproduces_the_published_authorization_header():
    headers = signing.sign_v3('POST', 'ecs.cn-shanghai.aliyuncs.com', '/', dict(V3_QUERY), 'RunInstances', '2014-05-26', 'YourAccessKeyId',
                              'YourAccessKeySecret', date='2023-10-26T10:22:32Z', nonce='3156853299f313e23d1673dc12e1703d')
    assert headers['Authorization'] == (
        'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;'
        'x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0')


def test_v1_published_vector_signature():
    params = {'AccessKeyId': 'testid', 'Action': 'DescribeRegions', 'Format': 'XML', 'SignatureMethod': 'HMAC-SHA1',
              'SignatureNonce': '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf', 'SignatureVersion': '1.0', 'Timestamp': '2016-02-23T12:46:24Z',
              'Version': '2014-05-26'}
    assert signing.v1_signature('testsecret', signing.v1_string_to_sign('GET', params.items())) == 'OLeaidS1JvxuMvnyHOwuJ+uX5qY='


def test_v1_string_to_sign_ignores_the_signature_parameter():
    pairs = [('A', '1'), ('Signature', 'whatever')]
    assert signing.v1_string_to_sign('POST', pairs) == 'POST&%2F&A%3D1'


@pytest.mark.parametrize('raw, encoded', [
    ('a b', 'a%20b'), ('a*b', 'a%2Ab'), ('a~b', 'a~b'), ('a+b', 'a%2Bb'), ('a/b', 'a%2Fb'), ('Az09-_.~', 'Az09-_.~'), ('é', '%C3%A9'),
])
def test_percent_encode_keeps_only_unreserved_characters(raw, encoded):
    assert signing.percent_encode(raw) == encoded


def test_canonical_query_sorts_by_encoded_key():
    assert signing.canonical_query([('b', '2'), ('a', 'x y'), ('Tag.1.Key', 'k')]) == 'Tag.1.Key=k&a=x%20y&b=2'


def test_canonical_headers_trim_and_join_repeated_values():
    canonical = signing.v3_canonical_request('GET', '/', [], {'x-acs-a': ['  b ', 'a']}, ['x-acs-a'], signing.EMPTY_SHA256)
    assert canonical.split('\n')[3] == 'x-acs-a:a,b'


@pytest.mark.parametrize('header, problem', [
    ('', 'unsupported signature algorithm'),
    ('ACS3-HMAC-SHA1 Credential=a,SignedHeaders=host,Signature=x', 'unsupported signature algorithm'),
    ('ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host', 'lacks Signature'),
    ('ACS3-HMAC-SHA256 Credential=a,SignedHeaders=Host,Signature=x', 'lowercase'),
])
def test_parse_authorization_names_what_is_wrong(header, problem):
    with pytest.raises(ValueError, match=problem):
        signing.parse_authorization(header)


def test_parse_timestamp_rejects_other_formats():
    assert signing.parse_timestamp('2024-01-02T03:04:05Z').year == 2024
    assert signing.parse_timestamp('2024-01-02T03:04:05.123Z').second == 5
    with pytest.raises(ValueError):
        signing.parse_timestamp('2024-01-02 03:04:05')


# The self-checked RocketMQ 5.x (ROA) vector of the reference: GetConsumerGroupLag of GID_test.
V5_PATH = '/instances/rmq-cn-2r42vrvde0j/consumerGroups/GID_test/lag'
V5_HEADERS = {
    'host': ['rocketmq.cn-hangzhou.aliyuncs.com'],
    'x-acs-action': ['GetConsumerGroupLag'],
    'x-acs-version': ['2022-08-01'],
    'x-acs-date': ['2024-01-02T03:04:05Z'],
    'x-acs-signature-nonce': ['0123456789abcdef0123456789abcdef'],
    'x-acs-content-sha256': [signing.EMPTY_SHA256],
}


def _v5_canonical(path=V5_PATH):
    return signing.v3_canonical_request('GET', path, [('topicName', 'normal topic/1')], V5_HEADERS, sorted(V5_HEADERS), signing.EMPTY_SHA256)


def test_v5_reference_vector_canonical_query_and_hash():
    canonical = _v5_canonical()
    assert canonical.split('\n')[1:3] == [V5_PATH, 'topicName=normal%20topic%2F1']
    assert signing.sha256_hex(canonical.encode('utf-8')) == '649f44a6c8ca0fc5ab5694ddda6c5f779a00d5ac5df4c2383da1f6afd9bbd228'


def test_v5_reference_vector_signature():
    string_to_sign = signing.v3_string_to_sign(_v5_canonical())
    assert signing.v3_signature('YourAccessKeySecret', string_to_sign) == '65b78fde5cb22433e0b08750426bd4662cce133b7423dbb9e08c0321b416b6b0'


def test_sign_v3_reproduces_the_v5_reference_authorization_header():
    headers = signing.sign_v3('GET', 'rocketmq.cn-hangzhou.aliyuncs.com', V5_PATH, {'topicName': 'normal topic/1'}, 'GetConsumerGroupLag',
                              '2022-08-01', 'YourAccessKeyId', 'YourAccessKeySecret', date='2024-01-02T03:04:05Z',
                              nonce='0123456789abcdef0123456789abcdef')
    assert headers['Authorization'].endswith(',Signature=65b78fde5cb22433e0b08750426bd4662cce133b7423dbb9e08c0321b416b6b0')


@pytest.mark.parametrize('path, canonical', [
    ('/', '/'),
    ('', '/'),
    ('/instances/rmq-cn-x/consumerGroups/GID_a', '/instances/rmq-cn-x/consumerGroups/GID_a'),
    # plain and already encoded segments give the same canonical URI
    ('/instances/rmq-cn-x/consumerGroups/GID%25a', '/instances/rmq-cn-x/consumerGroups/GID%25a'),
    ('/instances/rmq-cn-x/consumerGroups/GID a*b~c', '/instances/rmq-cn-x/consumerGroups/GID%20a%2Ab~c'),
    ('/instances/rmq-cn-x/consumerGroups/GID%20a%2Ab%7Ec', '/instances/rmq-cn-x/consumerGroups/GID%20a%2Ab~c'),
    # an encoded / stays inside its segment
    ('/instances/rmq-cn-x/topics/a%2Fb/traces/m', '/instances/rmq-cn-x/topics/a%2Fb/traces/m'),
    ('/instances/rmq-cn-x/topics/caf\u00e9', '/instances/rmq-cn-x/topics/caf%C3%A9'),
])
def test_canonical_uri_encodes_each_segment_rfc3986_style(path, canonical):
    assert signing.canonical_uri(path) == canonical


def test_v5_vector_verifies_with_the_path_sent_encoded():
    assert _v5_canonical(V5_PATH.replace('GID_test', 'GID%5Ftest')) == _v5_canonical()
