#include "graphace/experiment_config.h"

#include "graphace/error.h"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace graphace {
namespace {

const std::set<std::string> kTopLevelKeys = {"preset", "data",      "ace",      "linear", "graph",
                                             "model",  "optimiser", "training", "split"};

void rejectUnknownKeys(const nlohmann::json& j, const std::set<std::string>& known,
                       const std::string& section) {
    if (!j.is_object())
        throw std::invalid_argument("config: \"" + section + "\" must be a JSON object");
    for (const auto& item : j.items())
        if (!known.count(item.key())) {
            std::string list;
            for (const auto& k : known)
                list += (list.empty() ? "" : ", ") + k;
            throw std::invalid_argument("config: unknown key \"" + section + "." + item.key() +
                                        "\" (known: " + list + ")");
        }
}

template <typename T>
void readNumber(const nlohmann::json& j, const char* key, T& value, const std::string& section) {
    if (!j.contains(key))
        return;
    if (!j.at(key).is_number())
        throw std::invalid_argument("config: \"" + section + "." + key + "\" must be a number");
    value = j.at(key).get<T>();
}

// Typed access to one section's keys; every message names the full path of the key.
class Section {
public:
    Section(const nlohmann::json& j, std::string path, const std::set<std::string>& known)
        : m_j(j), m_path(std::move(path)) {
        rejectUnknownKeys(j, known, m_path);
    }

    bool has(const char* key) const { return m_j.contains(key); }
    const nlohmann::json& at(const char* key) const { return m_j.at(key); }
    std::string path(const char* key) const { return m_path + "." + key; }

    void number(const char* key, double& value) const {
        if (!has(key))
            return;
        if (!at(key).is_number())
            fail(key, "must be a number");
        value = at(key).get<double>();
        if (!std::isfinite(value))
            fail(key, "must be a finite number");
    }
    void integer(const char* key, int& value) const {
        if (!has(key))
            return;
        if (!at(key).is_number_integer())
            fail(key, "must be an integer");
        const auto v = at(key).get<long long>();
        if (v < -2147483647LL || v > 2147483647LL)
            fail(key, "is out of range");
        value = static_cast<int>(v);
    }
    void unsignedInteger(const char* key, std::uint64_t& value) const {
        if (!has(key))
            return;
        if (!at(key).is_number_unsigned())
            fail(key, "must be a non-negative integer");
        value = at(key).get<std::uint64_t>();
    }
    void boolean(const char* key, bool& value) const {
        if (!has(key))
            return;
        if (!at(key).is_boolean())
            fail(key, "must be true or false");
        value = at(key).get<bool>();
    }
    void string(const char* key, std::string& value) const {
        if (!has(key))
            return;
        if (!at(key).is_string())
            fail(key, "must be a string");
        value = at(key).get<std::string>();
    }
    // A name parsed by `parse` (which throws std::invalid_argument listing the accepted names).
    template <typename E, typename Parse> void name(const char* key, E& value, Parse parse) const {
        if (!has(key))
            return;
        if (!at(key).is_string())
            fail(key, "must be a string");
        try {
            value = parse(at(key).get<std::string>());
        } catch (const std::invalid_argument& e) {
            fail(key, std::string(": ") + e.what());
        }
    }
    // For a key that takes "auto" or a number: true for "auto"; fails with `expected` for any
    // other string; false otherwise (read the number with number() / integer()).
    bool isAuto(const char* key, const char* expected) const {
        if (!has(key) || !at(key).is_string())
            return false;
        if (at(key).get<std::string>() != "auto")
            fail(key, expected);
        return true;
    }
    [[noreturn]] void fail(const char* key, const std::string& what) const {
        throw std::invalid_argument("config: \"" + path(key) + "\"" +
                                    (what.rfind(":", 0) == 0 ? "" : " ") + what);
    }

private:
    const nlohmann::json& m_j;
    std::string m_path;
};

nlohmann::json layersToJson(const std::vector<LayerConfig>& layers) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& l : layers)
        out.push_back({{"width", l.width}, {"activation", toString(l.activation)}});
    return out;
}

std::vector<LayerConfig> layersFromJson(const nlohmann::json& j, const std::string& path) {
    if (!j.is_array())
        throw std::invalid_argument("config: \"" + path +
                                    "\" must be an array of {\"width\", \"activation\"} objects");
    std::vector<LayerConfig> layers;
    for (std::size_t k = 0; k < j.size(); ++k) {
        LayerConfig layer;
        const Section s(j[k], path + "." + std::to_string(k), {"width", "activation"});
        s.integer("width", layer.width);
        s.name("activation", layer.activation, parseActivation);
        layers.push_back(layer);
    }
    return layers;
}

nlohmann::json toJson(const DataConfig& d) {
    return {{"train", d.trainFile},
            {"test", d.testFile},
            {"train_size", d.trainSize},
            {"test_size", d.testSize},
            {"stress_unit", toString(d.stress.unit)},
            {"stress_sign", toString(d.stress.sign)},
            {"group_key", d.groupKey}};
}

DataConfig dataFromJson(const nlohmann::json& j) {
    DataConfig d;
    const Section s(
        j, "data",
        {"train", "test", "train_size", "test_size", "stress_unit", "stress_sign", "group_key"});
    s.string("train", d.trainFile);
    s.string("test", d.testFile);
    s.integer("train_size", d.trainSize);
    s.integer("test_size", d.testSize);
    s.name("stress_unit", d.stress.unit, parseStressUnit);
    s.name("stress_sign", d.stress.sign, parseStressSign);
    s.string("group_key", d.groupKey);
    if (d.groupKey.empty())
        s.fail("group_key", "must name a header key (e.g. \"config_type\")");
    return d;
}

nlohmann::json toJson(const GraphConfig& g) {
    nlohmann::json j = {{"weighting", toString(g.options.weighting)},
                        {"self_loops", g.options.selfLoops},
                        {"normalisation", toString(g.options.normalisation)}};
    if (g.autoCutoff) {
        // The value is kept beside "auto" so that a config as run records the cutoff chosen.
        j["cutoff"] = "auto";
        j["resolved_cutoff"] = g.options.cutoff;
    } else {
        j["cutoff"] = g.options.cutoff;
    }
    return j;
}

GraphConfig graphFromJson(const nlohmann::json& j) {
    GraphConfig g;
    const Section s(j, "graph",
                    {"cutoff", "resolved_cutoff", "weighting", "self_loops", "normalisation"});
    if (s.isAuto("cutoff", "must be a number of Å or \"auto\""))
        g.autoCutoff = true;
    else if (s.has("cutoff") && !s.at("cutoff").is_number())
        s.fail("cutoff", "must be a number of Å or \"auto\"");
    else
        s.number("cutoff", g.options.cutoff);
    // The cutoff an "auto" run chose. Beside a number it is stale (a preset or a recorded run
    // whose cutoff was then set by hand, e.g. --set graph.cutoff=4): the number wins.
    if (s.has("resolved_cutoff") && g.autoCutoff)
        s.number("resolved_cutoff", g.options.cutoff);
    s.name("weighting", g.options.weighting, parseEdgeWeighting);
    s.boolean("self_loops", g.options.selfLoops);
    s.name("normalisation", g.options.normalisation, parseNormalisation);
    return g;
}

nlohmann::json toJson(const ModelConfig& m) {
    return {{"graph_layers", layersToJson(m.graphLayers)},
            {"dense_layers", layersToJson(m.denseLayers)},
            {"pooling", toString(m.pooling)},
            {"target", toString(m.target)},
            {"standardise_inputs", m.standardiseInputs},
            {"whiten_inputs", m.whitenInputs},
            {"standardise_targets", m.standardiseTargets},
            {"reference_energies", m.referenceEnergies},
            {"linear_term", m.linearTerm},
            {"precision", toString(m.precision)}};
}

ModelConfig modelFromJson(const nlohmann::json& j) {
    ModelConfig m;
    const Section s(j, "model",
                    {"graph_layers", "dense_layers", "pooling", "target", "standardise_inputs",
                     "whiten_inputs", "standardise_targets", "reference_energies", "linear_term",
                     "precision"});
    if (s.has("graph_layers"))
        m.graphLayers = layersFromJson(s.at("graph_layers"), s.path("graph_layers"));
    if (s.has("dense_layers"))
        m.denseLayers = layersFromJson(s.at("dense_layers"), s.path("dense_layers"));
    s.name("pooling", m.pooling, parsePooling);
    s.name("target", m.target, parseEnergyTarget);
    s.boolean("standardise_inputs", m.standardiseInputs);
    s.boolean("whiten_inputs", m.whitenInputs);
    s.boolean("standardise_targets", m.standardiseTargets);
    s.boolean("reference_energies", m.referenceEnergies);
    s.boolean("linear_term", m.linearTerm);
    s.name("precision", m.precision, parsePrecision);
    return m;
}

nlohmann::json toJson(const OptimiserConfig& o) {
    nlohmann::json phases = nlohmann::json::array();
    for (const auto& p : o.phases) {
        nlohmann::json phase = {
            {"epochs", p.autoEpochs ? nlohmann::json("auto") : nlohmann::json(p.epochs)},
            {"learning_rate", p.learningRate},
            {"beta1", p.beta1},
            {"beta2", p.beta2},
            {"reset_moments", p.resetMoments}};
        if (p.autoEpochs)
            phase["resolved_epochs"] = p.epochs; // what the run chose, as for the cutoff
        phases.push_back(std::move(phase));
    }
    nlohmann::json j = {{"kind", toString(o.kind)},
                        {"eps", o.eps},
                        {"weight_decay", o.weightDecay},
                        {"loss", toString(o.loss)},
                        {"phases", phases},
                        {"decay", toString(o.decay)},
                        {"gamma", o.gamma},
                        {"factor", o.factor},
                        {"patience", o.patience},
                        {"min_learning_rate", o.minLearningRate},
                        {"gradient_clip_norm", o.gradientClipNorm},
                        {"early_stopping_patience", o.earlyStoppingPatience},
                        {"energy_weight", o.energyWeight},
                        {"forces_weight", o.autoForcesWeight ? nlohmann::json("auto")
                                                             : nlohmann::json(o.forcesWeight)},
                        {"virial_weight", o.autoVirialWeight ? nlohmann::json("auto")
                                                             : nlohmann::json(o.virialWeight)}};
    // As for the cutoff: a config as run records what "auto" chose.
    if (o.autoForcesWeight)
        j["resolved_forces_weight"] = o.forcesWeight;
    if (o.autoVirialWeight)
        j["resolved_virial_weight"] = o.virialWeight;
    return j;
}

OptimiserConfig optimiserFromJson(const nlohmann::json& j) {
    OptimiserConfig o;
    const Section s(j, "optimiser",
                    {"kind", "eps", "weight_decay", "loss", "phases", "decay", "gamma", "factor",
                     "patience", "min_learning_rate", "gradient_clip_norm",
                     "early_stopping_patience", "energy_weight", "forces_weight",
                     "resolved_forces_weight", "virial_weight", "resolved_virial_weight"});
    s.name("kind", o.kind, parseOptimiserKind);
    s.number("eps", o.eps);
    s.number("weight_decay", o.weightDecay);
    s.name("loss", o.loss, parseLossKind);
    if (s.has("phases")) {
        const auto& phases = s.at("phases");
        if (!phases.is_array())
            s.fail("phases", "must be an array of phase objects");
        o.phases.clear();
        for (std::size_t k = 0; k < phases.size(); ++k) {
            OptimiserPhase p;
            const Section ps(
                phases[k], "optimiser.phases." + std::to_string(k),
                {"epochs", "resolved_epochs", "learning_rate", "beta1", "beta2", "reset_moments"});
            if (ps.isAuto("epochs", "must be an integer ≥ 1 or \"auto\"")) {
                p.autoEpochs = true;
                p.epochs = kAutoEpochsEnergiesOnly;
                // Beside a number it is stale (set by hand since): the number wins.
                if (ps.has("resolved_epochs"))
                    ps.integer("resolved_epochs", p.epochs);
            } else {
                ps.integer("epochs", p.epochs);
            }
            ps.number("learning_rate", p.learningRate);
            ps.number("beta1", p.beta1);
            ps.number("beta2", p.beta2);
            ps.boolean("reset_moments", p.resetMoments);
            o.phases.push_back(p);
        }
    }
    s.name("decay", o.decay, parseLearningRateDecay);
    s.number("gamma", o.gamma);
    s.number("factor", o.factor);
    s.integer("patience", o.patience);
    s.number("min_learning_rate", o.minLearningRate);
    s.number("gradient_clip_norm", o.gradientClipNorm);
    s.integer("early_stopping_patience", o.earlyStoppingPatience);
    s.number("energy_weight", o.energyWeight);
    // "auto" or a number; a resolved value beside a number is stale (the weight was then set by
    // hand): the number wins.
    auto autoOrNumber = [&s](const char* key, const char* resolved, bool& isAuto, double& value) {
        isAuto = s.isAuto(key, "must be a number ≥ 0 or \"auto\"");
        if (!isAuto)
            s.number(key, value);
        else if (s.has(resolved))
            s.number(resolved, value);
    };
    autoOrNumber("forces_weight", "resolved_forces_weight", o.autoForcesWeight, o.forcesWeight);
    autoOrNumber("virial_weight", "resolved_virial_weight", o.autoVirialWeight, o.virialWeight);
    return o;
}

nlohmann::json toJson(const TrainingConfig& t) {
    return {{"batch_size", t.batchSize},
            {"shuffle", t.shuffle},
            {"seed", t.seed},
            {"threads", t.threads},
            {"device", t.device},
            {"checkpoint_every", t.checkpointEvery}};
}

TrainingConfig trainingFromJson(const nlohmann::json& j) {
    TrainingConfig t;
    const Section s(j, "training",
                    {"batch_size", "shuffle", "seed", "threads", "device", "checkpoint_every"});
    s.integer("batch_size", t.batchSize);
    s.boolean("shuffle", t.shuffle);
    s.unsignedInteger("seed", t.seed);
    s.integer("threads", t.threads);
    s.string("device", t.device);
    s.integer("checkpoint_every", t.checkpointEvery);
    return t;
}

bool isIndex(const std::string& key) {
    if (key.empty() || key.size() > 9)
        return false;
    for (char c : key)
        if (c < '0' || c > '9')
            return false;
    return true;
}

} // namespace

void to_json(nlohmann::json& j, const LinearFitOptions& o) {
    j = {{"energy_weight", o.energyWeight},
         {"forces_weight", o.forcesWeight},
         {"ridge", o.ridge},
         {"reference_energies", o.referenceEnergies},
         {"smoothness_prior", o.smoothnessPrior}};
}

// Absent keys take LinearFitOptions' own defaults (plain least squares), so that a section
// written before a key existed keeps its meaning; composeConfig supplies the full defaults.
void from_json(const nlohmann::json& j, LinearFitOptions& result) {
    LinearFitOptions o;
    rejectUnknownKeys(
        j, {"energy_weight", "forces_weight", "ridge", "smoothness_prior", "reference_energies"},
        "linear");
    readNumber(j, "energy_weight", o.energyWeight, "linear");
    readNumber(j, "forces_weight", o.forcesWeight, "linear");
    readNumber(j, "ridge", o.ridge, "linear");
    readNumber(j, "smoothness_prior", o.smoothnessPrior, "linear");
    if (j.contains("reference_energies")) {
        if (!j.at("reference_energies").is_boolean())
            throw std::invalid_argument(
                "config: \"linear.reference_energies\" must be true or false");
        o.referenceEnergies = j.at("reference_energies").get<bool>();
    }
    if (o.energyWeight < 0 || o.forcesWeight < 0 || o.ridge < 0 || o.smoothnessPrior < 0)
        throw std::invalid_argument("config: linear weights, ridge and smoothness_prior must be "
                                    ">= 0");
    result = o;
}

void to_json(nlohmann::json& j, const ExperimentConfig& c) {
    j = {{"preset", c.preset},
         {"data", toJson(c.data)},
         {"ace", c.ace},
         {"linear", c.linear},
         {"graph", toJson(c.graph)},
         {"model", toJson(c.model)},
         {"optimiser", toJson(c.optimiser)},
         {"training", toJson(c.training)}};
}

void from_json(const nlohmann::json& j, ExperimentConfig& c) {
    // "split" is what `graphace train` records beside the config (training_outputs.h); it is
    // accepted so that DIR/config.json can be given back as --config, and recomputed from data
    // sizes and seed.
    rejectUnknownKeys(j, kTopLevelKeys, "config");
    ExperimentConfig out;
    if (j.contains("preset")) {
        if (!j.at("preset").is_string())
            throw std::invalid_argument("config: \"preset\" must be a string");
        out.preset = j.at("preset").get<std::string>();
    }
    if (j.contains("data"))
        out.data = dataFromJson(j.at("data"));
    if (j.contains("ace")) {
        // Checked here too, so that the message names the key by its full path ("ace.rcutt").
        const std::vector<std::string>& aceKeys = aceConfigKeys();
        rejectUnknownKeys(j.at("ace"), {aceKeys.begin(), aceKeys.end()}, "ace");
        try {
            j.at("ace").get_to(out.ace);
        } catch (const nlohmann::json::exception& e) {
            throw std::invalid_argument(std::string("config: \"ace\": ") + e.what());
        }
    }
    if (j.contains("linear"))
        j.at("linear").get_to(out.linear);
    if (j.contains("graph"))
        out.graph = graphFromJson(j.at("graph"));
    if (j.contains("model"))
        out.model = modelFromJson(j.at("model"));
    if (j.contains("optimiser"))
        out.optimiser = optimiserFromJson(j.at("optimiser"));
    if (j.contains("training"))
        out.training = trainingFromJson(j.at("training"));
    c = std::move(out);
}

void validate(const ExperimentConfig& c) {
    if (c.data.trainSize < 0 || c.data.testSize < 0)
        throw std::invalid_argument("config: data.train_size and data.test_size must be >= 0");
    if (!c.data.testFile.empty() && (c.data.trainSize > 0 || c.data.testSize > 0))
        throw std::invalid_argument("config: data.train_size/test_size split the training file; "
                                    "they cannot be combined with data.test");
    validate(c.ace);
    if (!std::isfinite(c.linear.energyWeight) || !std::isfinite(c.linear.forcesWeight) ||
        !std::isfinite(c.linear.ridge) || c.linear.energyWeight < 0 || c.linear.forcesWeight < 0 ||
        c.linear.ridge < 0)
        throw std::invalid_argument("config: linear weights and ridge must be finite and >= 0");
    if (!std::isfinite(c.graph.options.cutoff) || c.graph.options.cutoff <= 0)
        throw std::invalid_argument("config: graph.cutoff must be a positive number of Å or "
                                    "\"auto\"");
    if (c.graph.options.cutoff > 20)
        throw std::invalid_argument("config: graph.cutoff above 20 Å makes every graph dense; "
                                    "use a cutoff of a few Å");
    validate(c.model);
    validate(c.optimiser);
    validate(c.training);
}

nlohmann::json readJsonFile(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw ParseError(path, 0, "cannot open the file");
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parseJsonText(buffer.str(), path);
}

nlohmann::json parseJsonText(const std::string& text, const std::string& sourceName) {
    // 1-based line of a byte offset, for a message a person can act on.
    auto lineOf = [&text](std::size_t offset) {
        long line = 1;
        for (std::size_t i = 0; i + 1 < std::min(offset, text.size()); ++i)
            line += text[i] == '\n';
        return line;
    };
    auto reason = [](const std::string& what) {
        const auto colon = what.rfind(": ");
        return colon == std::string::npos ? what : what.substr(colon + 2);
    };
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw ParseError(sourceName, lineOf(e.byte), "invalid JSON: " + reason(e.what()));
    } catch (const nlohmann::json::out_of_range& e) {
        // A number beyond double range ("number overflow parsing '1e400'"): the message quotes
        // it, which finds its line.
        const std::string what = e.what();
        const auto open = what.find('\''), close = what.rfind('\'');
        const std::string number = open != std::string::npos && close > open
                                       ? what.substr(open + 1, close - open - 1)
                                       : std::string();
        const std::size_t at = number.empty() ? std::string::npos : text.find(number);
        throw ParseError(sourceName, at == std::string::npos ? 0 : lineOf(at + 1),
                         "number out of range: " + (number.empty() ? reason(what) : number));
    }
}

namespace {

// Whether `text` is UTF-8 as JSON requires (a file is checked by the JSON parser; this is the
// same check nlohmann's writer makes, which would otherwise throw later, far from the cause).
bool isUtf8(const std::string& text) {
    try {
        (void)nlohmann::json(text).dump();
        return true;
    } catch (const nlohmann::json::type_error&) {
        return false;
    }
}

} // namespace

void applySetting(nlohmann::json& document, const std::string& setting) {
    if (!isUtf8(setting))
        throw std::invalid_argument("setting is not valid UTF-8 text");
    const auto equals = setting.find('=');
    if (equals == std::string::npos || equals == 0)
        throw std::invalid_argument("setting \"" + setting +
                                    "\" is not of the form section.key=value");
    const std::string path = setting.substr(0, equals), text = setting.substr(equals + 1);
    nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
    if (value.is_discarded())
        value = text; // bare words such as a species symbol
    nlohmann::json* node = &document;
    std::size_t begin = 0;
    std::string walked; // the path so far, for messages
    while (true) {
        const auto dot = path.find('.', begin);
        const std::string key =
            path.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin);
        if (key.empty())
            throw std::invalid_argument("setting \"" + setting + "\" has an empty key");
        if (node->is_array() && key == "*") {
            // Every entry alike (e.g. model.graph_layers.*.activation=tanh).
            if (node->empty())
                throw std::invalid_argument("setting \"" + setting + "\": \"" + walked +
                                            "\" has no entries");
            for (nlohmann::json& entry : *node) {
                if (dot == std::string::npos)
                    entry = value;
                else
                    applySetting(entry, path.substr(dot + 1) + "=" + text);
            }
            return;
        }
        if (node->is_array()) {
            // Arrays are only indexed, never grown: a typo must not create a phase or a layer.
            if (!isIndex(key))
                throw std::invalid_argument("setting \"" + setting + "\": \"" + walked +
                                            "\" is an array; index it with a number");
            const std::size_t index = std::stoul(key);
            if (index >= node->size())
                throw std::invalid_argument("setting \"" + setting + "\": index " + key +
                                            " is out of range (\"" + walked + "\" has " +
                                            std::to_string(node->size()) + " entries)");
            node = &(*node)[index];
        } else {
            if (isIndex(key))
                throw std::invalid_argument("setting \"" + setting + "\": index " + key +
                                            " into \"" + walked + "\", which is not an array");
            if (node->is_null())
                *node = nlohmann::json::object();
            else if (!node->is_object())
                throw std::invalid_argument("setting \"" + setting + "\": \"" + walked +
                                            "\" is a value, not a section");
            node = &(*node)[key];
        }
        walked += (walked.empty() ? "" : ".") + key;
        if (dot == std::string::npos)
            break;
        begin = dot + 1;
    }
    *node = value;
}

ExperimentConfig composeConfig(const std::string& preset, const nlohmann::json& fileDocument,
                               const std::vector<std::string>& settings) {
    if (!fileDocument.is_null() && !fileDocument.is_object())
        throw std::invalid_argument("config: the configuration file must hold a JSON object");
    std::string base = preset;
    if (base.empty() && fileDocument.is_object() && fileDocument.contains("preset")) {
        if (!fileDocument.at("preset").is_string())
            throw std::invalid_argument("config: \"preset\" must be a string");
        base = fileDocument.at("preset").get<std::string>();
    }
    nlohmann::json document = base.empty() ? nlohmann::json(ExperimentConfig{}) : presetJson(base);
    // A layer that bounds the degree by max_degree alone means that bound at every order.
    auto uniformDegreeUnlessGiven = [&document](const nlohmann::json& layer) {
        const auto ace = layer.find("ace");
        if (ace != layer.end() && ace->is_object() && ace->contains("max_degree") &&
            !ace->contains("max_degree_per_order") && document.contains("ace") &&
            document["ace"].is_object())
            document["ace"]["max_degree_per_order"] = nlohmann::json::array();
    };
    if (fileDocument.is_object()) {
        document.merge_patch(fileDocument);
        uniformDegreeUnlessGiven(fileDocument);
    }
    if (!preset.empty())
        document["preset"] = preset; // the explicit choice is what the record should say
    for (const auto& setting : settings) {
        applySetting(document, setting);
        if (setting.rfind("ace.max_degree=", 0) == 0)
            uniformDegreeUnlessGiven({{"ace", {{"max_degree", 0}}}});
    }
    ExperimentConfig config = document.get<ExperimentConfig>();
    validate(config);
    return config;
}

} // namespace graphace
