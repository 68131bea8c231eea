# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The numeric connection options (timeout, rate_limit, retries) take a value of any size and length.

An int beyond a float's range, text of 5000 digits, or ``1e999999999`` is refused with the option's
name and what is accepted; the message shows such a number shortened, as Python refuses to print an
int of more than 4300 digits.
"""

import random

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils import validation
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.validation import (
    check_rate_limit,
    check_retries,
    check_timeout,
    decimal_number,
    float_number,
    number_text,
    whole_number,
)


def ident(value):
    text = number_text(value)
    return text if len(text) <= 24 else text[:20] + '...'


@pytest.mark.parametrize('value, text', [
    (0, '0'), (-5, '-5'), (10 ** 20 - 1, '99999999999999999999'), (10 ** 20, '1000\u2026(21 digits)'),
    (10 ** 400, '1000\u2026(401 digits)'), (-10 ** 5000, '-1000\u2026(5001 digits)'), (12345 * 10 ** 9000, '1234\u2026(9005 digits)'),
    ('9' * 5000, '9999\u2026(5000 digits)'), (' -0007' + '1' * 30 + ' ', '-7111\u2026(31 digits)'), ('0' * 30 + '12', '0' * 30 + '12'),
    (True, 'True'), (1.5, '1.5'), (float('inf'), 'inf'), ('x' * 300, 'x' * 300),
    ('x' * 301, '(a value of 301 characters, too long to quote)'), ([10 ** 5000], 'a list that cannot be shown'),
], ids=ident)
def test_number_text_shortens_a_long_number_and_never_fails(value, text):
    assert number_text(value) == text


def test_digits_are_counted_exactly_at_every_length():
    rng = random.Random(4300)
    for digits in list(range(1, 60)) + [4299, 4300, 4301, 20000]:
        assert validation._digit_count(10 ** (digits - 1)) == digits
        assert validation._digit_count(10 ** digits - 1) == digits
        assert validation._digit_count(rng.randrange(10 ** (digits - 1), 10 ** digits)) == digits


@pytest.mark.parametrize('value', [10 ** 400, -10 ** 5000, '9' * 5000, '1e999999999', '1e999999999999999999999', '-1e400', 1e308],
                         ids=ident)
def test_a_number_beyond_float_range_is_not_a_float_and_never_overflows(value):
    assert float_number(value) is None


@pytest.mark.parametrize('value, number', [('0.1', 0.1), (' 2 ', 2.0), ('1_000', 1000.0), (7, 7.0), (True, 1.0), ('1e-400', 0.0)])
def test_numbers_in_range_read_as_float_reads_them(value, number):
    assert float_number(value) == number


@pytest.mark.parametrize('value, number', [('5', 5), (5.0, 5), (' 7 ', 7), ('1e3', 1000), (3, 3), (True, True)])
def test_whole_numbers_read_as_ansible_int_reads_them(value, number):
    assert whole_number(value) == number and type(whole_number(value)) is type(number)


@pytest.mark.parametrize('value', ['1e999999999', '9' * 5000, 2.5, 'x', None, float('inf'), '1e19'], ids=ident)
def test_what_is_no_whole_number_within_64_bits_is_returned_as_it_is(value):
    assert whole_number(value) is value


def test_decimal_number_reads_numbers_and_their_text_only():
    assert decimal_number('9' * 5000) == 10 ** 5000 - 1
    assert [decimal_number(value) for value in (True, None, b'1', [1], 'x', '')] == [None] * 6


@pytest.mark.parametrize('check, value, message', [
    (check_timeout, 10 ** 400, "timeout is 1000\u2026(401 digits): use a number of seconds above 0 and at most 600"),
    (check_timeout, '9' * 5000, "timeout is 9999\u2026(5000 digits): use a number of seconds above 0 and at most 600"),
    (check_timeout, '1e999999999', "timeout is 1e999999999: use a number of seconds above 0 and at most 600"),
    (check_timeout, '1e-400', "timeout is 1e-400: use a number of seconds above 0 and at most 600"),
    (check_rate_limit, -10 ** 5000, "rate_limit is -1000\u2026(5001 digits): use a number of requests per second from 0.1 to 1000"),
    (check_rate_limit, 'x' * 400, "rate_limit is (a value of 400 characters, too long to quote): use a number of requests per second"),
    (check_retries, 10 ** 5000, "retries is 1000\u2026(5001 digits): use a whole number from 0 to 20"),
    (check_retries, whole_number('1e999999999'), "retries is 1e999999999: use a whole number from 0 to 20"),
], ids=ident)
def test_the_numeric_options_refuse_a_number_of_any_size_by_name(check, value, message):
    with pytest.raises(ValueError) as error:
        check(value)
    assert str(error.value).startswith(message)


def test_the_numeric_options_still_take_what_they_took():
    assert (check_timeout('0.5'), check_timeout(600), check_rate_limit('0.1'), check_rate_limit(0.1)) == (0.5, 600.0, 0.1, 0.1)
    assert check_retries(whole_number('20')) == 20
