// model.pt, the file of a trained network (GcnModel::save and load): a torch archive with a magic
// string, a format version, the network's settings as JSON (enums by name since version 2), the
// weights, the input statistics and reference energies. Also the archive helpers the checkpoint
// shares (gcn_internal.h).
#include "gcn_internal.h"

#include "archive_integrity.h"
#include "graphace/atomic_file.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace graphace {
namespace gcn {

torch::Tensor bytesTensor(const std::string& text) {
    return torch::from_blob(const_cast<char*>(text.data()), {static_cast<int64_t>(text.size())},
                            torch::kUInt8)
        .clone();
}

std::string tensorText(const torch::Tensor& t) {
    const torch::Tensor bytes = t.to(torch::kCPU).to(torch::kUInt8).contiguous();
    const auto* data = reinterpret_cast<const char*>(bytes.data_ptr<uint8_t>());
    return std::string(data, data + bytes.numel());
}

torch::Tensor doublesTensor(const std::vector<double>& values) {
    return torch::tensor(values, torch::TensorOptions().dtype(torch::kFloat64));
}

std::string firstLine(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

void checkStoredTensor(const torch::Tensor& t, const std::string& key) {
    const std::string bad = "its \"" + key + "\" ";
    if (!t.defined() || t.layout() != torch::kStrided || !t.has_storage())
        throw std::runtime_error(bad + "is not a plain tensor");
    if (t.numel() == 0)
        return;
    // The last element's offset, without overflow for any stored shape.
    int64_t last = t.storage_offset();
    bool overflow = last < 0;
    for (int64_t d = 0; d < t.dim() && !overflow; ++d) {
        int64_t step = 0;
        overflow = t.stride(d) < 0 || __builtin_mul_overflow(t.size(d) - 1, t.stride(d), &step) ||
                   __builtin_add_overflow(last, step, &last);
    }
    int64_t bytes = 0;
    overflow = overflow || __builtin_add_overflow(last, 1, &last) ||
               __builtin_mul_overflow(last, static_cast<int64_t>(t.element_size()), &bytes);
    if (overflow || bytes > static_cast<int64_t>(t.storage().nbytes()))
        throw std::runtime_error(bad + "holds less data than its shape says");
}

bool tryReadStoredTensor(torch::serialize::InputArchive& archive, const std::string& key,
                         torch::Tensor& tensor) {
    if (!archive.try_read(key, tensor, true))
        return false;
    checkStoredTensor(tensor, key);
    return true;
}

torch::Tensor readStoredTensor(torch::serialize::InputArchive& archive, const std::string& key) {
    torch::Tensor tensor;
    if (!tryReadStoredTensor(archive, key, tensor))
        throw std::runtime_error("its \"" + key + "\" is missing");
    return tensor;
}

namespace {

// The network structure in the form this file reads, independent of the config schema (the
// config JSON beside it is for people and for rerunning).
// The network's settings as stored in model.pt: enums by name (format version 2). Version 1
// files stored their integer codes; modelFromJson reads both.
nlohmann::json modelToJson(const ModelConfig& m) {
    auto layers = [](const std::vector<LayerConfig>& list) {
        nlohmann::json a = nlohmann::json::array();
        for (const LayerConfig& l : list)
            a.push_back({l.width, toString(l.activation)});
        return a;
    };
    return {{"graph_layers", layers(m.graphLayers)},
            {"dense_layers", layers(m.denseLayers)},
            {"pooling", toString(m.pooling)},
            {"target", toString(m.target)},
            {"standardise_inputs", m.standardiseInputs},
            {"standardise_targets", m.standardiseTargets},
            {"reference_energies", m.referenceEnergies},
            {"precision", toString(m.precision)},
            {"whiten_inputs", m.whitenInputs},
            {"linear_term", m.linearTerm}};
}

// A stored enum: its name, or (version 1) its integer code 0…last.
template <typename Enum>
Enum storedEnum(const nlohmann::json& value, Enum (*parse)(const std::string&), Enum last,
                const char* what) {
    if (value.is_string())
        return parse(value.get<std::string>());
    const int code = value.get<int>();
    if (code < 0 || code > static_cast<int>(last))
        throw std::invalid_argument(std::string("unknown ") + what + " code " +
                                    std::to_string(code));
    return static_cast<Enum>(code);
}

ModelConfig modelFromJson(const nlohmann::json& j) {
    auto layers = [](const nlohmann::json& a) {
        std::vector<LayerConfig> list;
        for (const auto& l : a)
            list.push_back({l.at(0).get<int>(), storedEnum(l.at(1), parseActivation,
                                                           Activation::Softplus, "activation")});
        return list;
    };
    ModelConfig m;
    m.graphLayers = layers(j.at("graph_layers"));
    m.denseLayers = layers(j.at("dense_layers"));
    m.pooling = storedEnum(j.at("pooling"), parsePooling, Pooling::Mean, "pooling");
    m.target = storedEnum(j.at("target"), parseEnergyTarget, EnergyTarget::PerAtomSum, "target");
    m.standardiseInputs = j.at("standardise_inputs").get<bool>();
    m.standardiseTargets = j.at("standardise_targets").get<bool>();
    m.referenceEnergies = j.at("reference_energies").get<bool>();
    m.precision = storedEnum(j.at("precision"), parsePrecision, Precision::Float64, "precision");
    m.whitenInputs = j.value("whiten_inputs", false); // absent in files written before it existed
    m.linearTerm = j.value("linear_term", false);
    return m;
}

constexpr const char* kMagic = "GraphACE GCN model";
constexpr int64_t kFormatVersion = 2; // 2: enums by name in network_json
constexpr int64_t kOldestFormatVersion = 1;

} // namespace

} // namespace gcn

void GcnModel::save(const std::string& path) const {
    const gcn::Network& n = *m_impl;
    torch::serialize::OutputArchive archive;
    archive.write("graphace_magic", gcn::bytesTensor(gcn::kMagic), true);
    archive.write("format_version", torch::tensor({gcn::kFormatVersion}, torch::kInt64), true);
    archive.write("config_json", gcn::bytesTensor(nlohmann::json(n.config).dump()), true);
    const nlohmann::json network = {{"feature_count", n.featureCount},
                                    {"species_count", n.speciesCount},
                                    {"model", gcn::modelToJson(n.config.model)}};
    archive.write("network_json", gcn::bytesTensor(network.dump()), true);
    archive.write("parameters", n.parameters.detach().to(torch::kCPU).to(torch::kFloat64), true);
    archive.write("input_mean", gcn::doublesTensor(n.inputMean), true);
    archive.write("input_std", gcn::doublesTensor(n.inputStd), true);
    if (!n.inputWhitening.empty())
        archive.write("input_whitening", gcn::doublesTensor(n.inputWhitening), true);
    archive.write("reference_energies", gcn::doublesTensor(n.referenceEnergies), true);
    archive.write("target_statistics", gcn::doublesTensor({n.targetMean, n.targetStd}), true);
    if (!n.linearCoefficients.empty())
        archive.write("linear_coefficients", gcn::doublesTensor(n.linearCoefficients), true);
    writeAtomically(path, [&](const std::string& temporary) {
        try {
            archive.save_to(temporary);
        } catch (const std::exception& e) {
            throw std::runtime_error("cannot write the GCN model to '" + path +
                                     "': " + gcn::firstLine(e.what()));
        }
    });
}

GcnModel GcnModel::load(const std::string& path, const std::string& device) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error))
        throw std::runtime_error("GCN model file '" + path + "' does not exist");
    const std::string notModel = "'" + path + "' is not a GraphACE GCN model file";
    torch::serialize::InputArchive archive;
    std::string packed;
    try {
        packed = gcn::readCheckedArchive(path);
    } catch (const std::exception& e) {
        throw std::runtime_error(notModel + " (" + gcn::firstLine(e.what()) + ")");
    }
    try {
        archive.load_from(packed.data(), packed.size(), torch::Device(torch::kCPU));
    } catch (const std::exception& e) {
        throw std::runtime_error(notModel + " (not a torch archive: " + gcn::firstLine(e.what()) +
                                 ")");
    }
    bool header = false;
    try {
        torch::Tensor magic;
        header = gcn::tryReadStoredTensor(archive, "graphace_magic", magic) &&
                 gcn::tensorText(magic) == gcn::kMagic;
    } catch (const std::exception&) {
    }
    if (!header)
        throw std::runtime_error(notModel + " (no GraphACE header)");

    checkDevice(device.empty() ? "cpu" : device);
    auto impl = std::make_unique<Impl>();
    try {
        const torch::Tensor version = gcn::readStoredTensor(archive, "format_version");
        const int64_t v = version.item<int64_t>();
        if (v < gcn::kOldestFormatVersion || v > gcn::kFormatVersion)
            throw std::runtime_error(
                "format version " + std::to_string(v) + " is not supported (this graphace reads " +
                std::to_string(gcn::kOldestFormatVersion) + " to " +
                std::to_string(gcn::kFormatVersion) +
                (v > gcn::kFormatVersion ? "; a newer graphace wrote it)" : ")"));
        const torch::Tensor configText = gcn::readStoredTensor(archive, "config_json");
        const torch::Tensor networkText = gcn::readStoredTensor(archive, "network_json");
        const torch::Tensor parameters = gcn::readStoredTensor(archive, "parameters");
        const torch::Tensor mean = gcn::readStoredTensor(archive, "input_mean");
        const torch::Tensor stdDev = gcn::readStoredTensor(archive, "input_std");
        const torch::Tensor reference = gcn::readStoredTensor(archive, "reference_energies");
        const torch::Tensor target = gcn::readStoredTensor(archive, "target_statistics");

        nlohmann::json::parse(gcn::tensorText(configText)).get_to(impl->config);
        const nlohmann::json network = nlohmann::json::parse(gcn::tensorText(networkText));
        impl->config.model = gcn::modelFromJson(network.at("model"));
        impl->featureCount = network.at("feature_count").get<int>();
        impl->speciesCount = network.at("species_count").get<int>();
        impl->device = gcn::parseDevice(device);
        impl->dtype =
            impl->config.model.precision == Precision::Float64 ? torch::kFloat64 : torch::kFloat32;
        impl->inputMean = gcn::toHostVector(mean);
        impl->inputStd = gcn::toHostVector(stdDev);
        if (impl->config.model.whitenInputs) {
            torch::Tensor whitening;
            if (!gcn::tryReadStoredTensor(archive, "input_whitening", whitening))
                throw std::runtime_error("the input whitening matrix is missing");
            impl->inputWhitening = gcn::toHostVector(whitening);
            if (impl->inputWhitening.size() !=
                static_cast<std::size_t>(impl->featureCount) * impl->featureCount)
                throw std::runtime_error("the input whitening matrix does not match the network");
        }
        if (impl->config.model.linearTerm) {
            torch::Tensor linear;
            if (!gcn::tryReadStoredTensor(archive, "linear_coefficients", linear))
                throw std::runtime_error("the linear term's coefficients are missing");
            impl->linearCoefficients = gcn::toHostVector(linear);
            if (static_cast<int>(impl->linearCoefficients.size()) != impl->featureCount)
                throw std::runtime_error("the linear term does not match the network");
        }
        impl->referenceEnergies = gcn::toHostVector(reference);
        const std::vector<double> t = gcn::toHostVector(target);
        if (t.size() != 2 || static_cast<int>(impl->inputMean.size()) != impl->featureCount ||
            static_cast<int>(impl->inputStd.size()) != impl->featureCount ||
            static_cast<int>(impl->referenceEnergies.size()) != impl->speciesCount)
            throw std::runtime_error("statistics do not match the network");
        impl->targetMean = t[0];
        impl->targetStd = t[1];
        impl->layout();
        if (parameters.numel() != impl->parameterCount())
            throw std::runtime_error("weights do not match the network");
        impl->parameters = parameters.to(impl->dtype).to(impl->device).set_requires_grad(true);
    } catch (const std::exception& e) {
        throw std::runtime_error("GCN model file '" + path +
                                 "' is damaged or incompatible: " + gcn::firstLine(e.what()));
    }
    return GcnModel(std::move(impl));
}

} // namespace graphace
