"""netspec.validate rejects what the C++ loader (nn/layer_registry.cc, nn/network.cc)
rejects, so a bad recipe fails at export; the cases and message fragments follow
tests/nn/network_new_layers_test.cc. Also gru "bias": false through SpecNet."""
import copy
import unittest

from models.recipes.common import netspec

try:
    import torch
except ImportError:
    torch = None

C1 = {"type": "conv2d", "name": "c1", "in_channels": 1, "out_channels": 3, "freq": 12,
      "kernel_time": 3, "kernel_freq": 3, "stride_time": 2, "stride_freq": 2,
      "padding_freq": 1}  # (N, T, 12) -> (N, T/2, 3 * 6)


def conv2d(**fields):
    c = {"type": "conv2d", "name": "c", "in_channels": 1, "out_channels": 3, "freq": 8,
         "kernel_time": 2, "kernel_freq": 3}
    c.update(fields)
    return c


def conv1d(**fields):
    c = {"type": "conv1d", "name": "c", "in_channels": 4, "out_channels": 6, "kernel_size": 2}
    c.update(fields)
    return c


# label -> (layer list, fragments of the message). Every one of these is loadable up to
# the check it names, and the C++ loader rejects it.
BAD = {
    # conv1d
    "causal_conv1d_stride_beyond_receptive_field": (
        [conv1d(stride=3)],
        ['layers[0] ("c", conv1d): field "stride" must be at most the receptive field',
         "= 2 when \"causal\" is true, got 3"]),
    "causal_conv1d_dilated_stride_beyond_receptive_field": (
        [conv1d(kernel_size=2, dilation=2, stride=4)], ['"stride"', "= 3", "got 4"]),
    "causal_conv1d_with_padding": (
        [conv1d(padding=1)], ['field "padding" must be 0 when "causal" is true']),
    "conv1d_groups_do_not_divide": (
        [conv1d(groups=4)], ['field "groups" must divide in_channels (4) and out_channels (6)']),
    "conv1d_float_stride": ([conv1d(stride=2.0)], ['field "stride" must be an integer']),
    # conv2d
    "conv2d_negative_padding": (
        [conv2d(padding_freq=-1)],
        ['field "padding_freq" must be an integer in [0, 4096], got -1']),
    "conv2d_zero_stride_freq": ([conv2d(stride_freq=0)], ['field "stride_freq"', "got 0"]),
    "conv2d_zero_dilation_time": ([conv2d(dilation_time=0)], ['field "dilation_time"']),
    "conv2d_kernel_time_too_long": ([conv2d(kernel_time=4097)], ['"kernel_time"', "4096]"]),
    "conv2d_bias_not_bool": ([conv2d(bias=1)], ['field "bias" must be true or false, got 1']),
    "conv2d_too_many_features": (
        [conv2d(in_channels=300, freq=300)],
        ['field "freq" times in_channels must be at most 65536']),
    "conv2d_too_many_output_features": (
        [conv2d(freq=4000, kernel_freq=1, out_channels=17)],
        ['field "out_channels" times the 4000 output bins must be at most 65536, got 17']),
    "conv2d_channel_mismatch": (
        [C1, conv2d(name="c2", in_channels=3, freq=5)],
        ['layers[1] ("c2", conv2d): field "in_channels * freq" is 15 but layers[0] ("c1", '
         'conv2d) outputs 18 channels']),
    # gru
    "gru_after_conv2d_wrong_size": (
        [C1, {"type": "gru", "name": "g", "input_size": 16, "hidden_size": 8}],
        ['field "input_size" is 16 but layers[0] ("c1", conv2d) outputs 18 channels']),
    "gru_too_many_layers": (
        [{"type": "gru", "name": "g", "input_size": 4, "hidden_size": 8, "num_layers": 65}],
        ['field "num_layers" must be an integer in [1, 64], got 65']),
    "gru_bias_not_bool": (
        [{"type": "gru", "name": "g", "input_size": 4, "hidden_size": 8, "bias": "no"}],
        ['field "bias" must be true or false, got "no"']),
    "gru_hidden_too_large": (
        [{"type": "gru", "name": "g", "input_size": 4, "hidden_size": 65537}],
        ['field "hidden_size" must be an integer in [1, 65536]']),
    # attention_pool
    "attention_pool_negative_dim": (
        [{"type": "attention_pool", "name": "a", "in_features": 4, "attention_dim": -1}],
        ['field "attention_dim" must be an integer in [0, 65536], got -1']),
    "attention_pool_after_gru_wrong_size": (
        [{"type": "gru", "name": "g", "input_size": 4, "hidden_size": 8},
         {"type": "attention_pool", "name": "a", "in_features": 6}],
        ['layers[1] ("a", attention_pool): field "in_features" is 6 but layers[0] ("g", gru) '
         'outputs 8 channels']),
    # network level
    "no_layer_sets_channels": (
        [{"type": "relu", "name": "r"}], ["no layer sets a channel count"]),
    "subsampling_beyond_2_pow_20": (
        [{"type": "linear", "name": "l", "in_features": 4, "out_features": 4},
         {"type": "max_pool", "name": "p1", "kernel_size": 4096},
         {"type": "max_pool", "name": "p2", "kernel_size": 4096}],
        ['layers[2] ("p2", max_pool): total subsampling exceeds 1048576']),
    "layernorm_zero_eps": (
        [{"type": "layernorm", "name": "n", "num_features": 4, "eps": 0}],
        ['field "eps" must be a number in (0, 1], got 0']),
}

# Accepted by the C++ loader; must stay accepted.
GOOD = {
    "conv2d_front_end": [
        C1, {"type": "relu", "name": "r1"},
        conv2d(name="c2", in_channels=3, freq=6, out_channels=4, kernel_time=2,
               kernel_freq=3, stride_time=2),
        {"type": "gru", "name": "g", "input_size": 16, "hidden_size": 8, "bias": False},
        {"type": "attention_pool", "name": "a", "in_features": 8, "attention_dim": 4},
        {"type": "linear", "name": "head", "in_features": 8, "out_features": 2}],
    "stride_equal_to_receptive_field": [conv1d(stride=2), conv2d(
        name="c2", in_channels=6, freq=1, kernel_freq=1, kernel_time=1, dilation_time=1)],
    "non_causal_conv1d_any_stride": [conv1d(causal=False, stride=5, padding=1)],
    "leaky_relu_negative_slope": [conv1d(), {"type": "leaky_relu", "name": "lr",
                                             "negative_slope": -0.5}],
    "batchnorm_after_linear": [
        {"type": "linear", "name": "l", "in_features": 4, "out_features": 5},
        {"type": "batchnorm", "name": "bn", "num_features": 5, "eps": 1e-3}],
}


class ValidateTest(unittest.TestCase):
    def test_rejects_what_the_loader_rejects(self):
        for label, (spec, fragments) in BAD.items():
            with self.subTest(label):
                with self.assertRaises(ValueError) as ctx:
                    netspec.validate(copy.deepcopy(spec))
                for fragment in fragments:
                    self.assertIn(fragment, str(ctx.exception))

    def test_accepts_what_the_loader_accepts(self):
        for label, spec in GOOD.items():
            with self.subTest(label):
                netspec.validate(copy.deepcopy(spec))

    def test_spec_json_refuses_to_write_a_bad_list(self):
        with self.assertRaises(ValueError):
            netspec.spec_json(BAD["causal_conv1d_stride_beyond_receptive_field"][0])

    def test_geometry_of_the_accepted_front_end(self):
        spec = GOOD["conv2d_front_end"]
        self.assertEqual(netspec.subsampling(spec), 4)
        self.assertEqual(netspec.receptive_field(spec), 1 + 2 + 1 * 2)


@unittest.skipIf(torch is None, "needs torch")
class GruWithoutBiasTest(unittest.TestCase):
    def test_specnet_stores_no_bias_tensors(self):
        spec = [{"type": "gru", "name": "g", "input_size": 5, "hidden_size": 3,
                 "num_layers": 2, "bias": False}]
        net = netspec.SpecNet(spec).eval()
        self.assertEqual(sorted(net.export_tensors()),
                         ["g.weight_hh_l0", "g.weight_hh_l1", "g.weight_ih_l0",
                          "g.weight_ih_l1"])
        with torch.no_grad():
            x = torch.randn(2, 7, 5)
            want = net(x)
            copy_net = netspec.SpecNet(spec).eval()
            copy_net.load_exported(net.export_tensors())
            torch.testing.assert_close(copy_net(x), want)
            # No bias: a zero input sequence from a zero state stays at zero.
            self.assertEqual(float(net(torch.zeros(1, 4, 5)).abs().max()), 0.0)


if __name__ == "__main__":
    unittest.main()
